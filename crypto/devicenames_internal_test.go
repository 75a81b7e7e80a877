package crypto

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"go.mau.fi/util/dbutil"
	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/id"
)

// TestDeviceNamesNotStored: device display names never reach crypto_device, the callers' device
// objects keep theirs, and names an earlier version stored are blanked when the store opens.
func TestDeviceNamesNotStored(t *testing.T) {
	ctx := context.Background()
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	db, err := dbutil.NewWithDB(raw, "sqlite3")
	if err != nil {
		t.Fatal(err)
	}
	cs := mcrypto.NewSQLCryptoStore(db, dbutil.ZeroLogger(zerolog.Nop()), "@me:x", "ME", []byte("pickle-key-of-at-least-32-bytes!"))
	if err := cs.DB.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	names := func() (n int) {
		if err := raw.QueryRow("SELECT count(*) FROM crypto_device WHERE name<>''").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// What an earlier version left behind.
	if err := cs.PutDevice(ctx, "@old:x", &id.Device{UserID: "@old:x", DeviceID: "OLD", Name: "Old phone"}); err != nil {
		t.Fatal(err)
	}
	if names() != 1 {
		t.Fatal("setup: the plain mautrix store did not keep the name")
	}
	if err := forgetDeviceNames(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if n := names(); n != 0 {
		t.Fatalf("%d names left after opening", n)
	}
	s := namelessStore{cs}
	dev := &id.Device{UserID: "@bob:x", DeviceID: "B1", Name: "Bob's laptop"}
	if err := s.PutDevices(ctx, "@bob:x", map[id.DeviceID]*id.Device{"B1": dev}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDevice(ctx, "@bob:x", &id.Device{UserID: "@bob:x", DeviceID: "B2", Name: "Bob's phone"}); err != nil {
		t.Fatal(err)
	}
	if n := names(); n != 0 {
		t.Fatalf("%d names stored", n)
	}
	if dev.Name != "Bob's laptop" {
		t.Fatalf("the caller's device lost its name: %q", dev.Name)
	}
	got, err := s.GetDevices(ctx, "@bob:x")
	if err != nil || len(got) != 2 {
		t.Fatalf("devices not stored: %v %v", got, err)
	}
}
