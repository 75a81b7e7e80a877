package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"maunium.net/go/mautrix"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

func TestLogoutDeletesDeviceAndWipesData(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	s := alice.login(t)
	mustSync(t, s)
	device := s.Account().DeviceID
	if err := s.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bos.db", "bos.db-wal", "crypto.db", "storekey.json", "lock"} {
		if _, err := os.Stat(filepath.Join(alice.Dir, name)); err == nil {
			t.Errorf("%s still exists after logout", name)
		}
	}
	// The test's own log file is not one of ours: it stays, and with it the log dir.
	if _, err := os.Stat(filepath.Join(alice.Dir, "log", "test.log")); err != nil {
		t.Errorf("logout deleted a log file that is not ours: %v", err)
	}
	if _, err := session.Open(ctx(t), alice.config()); !errors.Is(err, session.ErrNotLoggedIn) {
		t.Fatalf("open after logout: want ErrNotLoggedIn, got %v", err)
	}
	raw, _ := mautrix.NewClient(srv.URL, "", "")
	if _, err := raw.Login(ctx(t), &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, Password: testPassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: alice.Local}, StoreCredentials: true}); err != nil {
		t.Fatal(err)
	}
	devices, err := raw.GetDevicesInfo(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devices.Devices {
		if d.DeviceID == device {
			t.Fatalf("device %s still exists on the server after logout", device)
		}
	}
}
