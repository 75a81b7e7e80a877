package crypto_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/crypto"
	"bosmessenger/store"
	"bosmessenger/store/seal"
)

// stubHomeserver answers the few requests crypto.Open and a local megolm session need (key upload,
// key query), so machines for fuzzing and benchmarks run without a real server. Everything that
// is measured or fuzzed (encryption, decryption, the crypto store) is the real code.
func stubHomeserver(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/keys/upload"):
			_, _ = w.Write([]byte(`{"one_time_key_counts":{"signed_curve25519":50}}`))
		case strings.HasSuffix(r.URL.Path, "/keys/query"):
			_, _ = w.Write([]byte(`{"device_keys":{},"failures":{}}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// stubMachine opens a crypto.Machine for userID/deviceID in a temporary dir against hs.
func stubMachine(t testing.TB, hs string, userID id.UserID, deviceID id.DeviceID) *crypto.Machine {
	m, _ := stubMachineDB(t, hs, userID, deviceID)
	return m
}

// stubMachineDB is stubMachine that also returns the account store the machine reads room state from.
func stubMachineDB(t testing.TB, hs string, userID id.UserID, deviceID id.DeviceID) (*crypto.Machine, *store.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	sealer, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "bos.db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cli, err := mautrix.NewClient(hs, userID, "stub-token")
	if err != nil {
		t.Fatal(err)
	}
	cli.DeviceID = deviceID
	m, err := crypto.Open(ctx, cli, filepath.Join(dir, crypto.FileName), bytes.Repeat([]byte{9}, 32), db, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, db
}

// megolmPair returns a sender machine with an outbound megolm session for roomID and a receiver
// that knows the session (through a room key export/import, the way keys from a key file or a
// backup arrive).
func megolmPair(t testing.TB, roomID id.RoomID) (sender, receiver *crypto.Machine) {
	t.Helper()
	ctx := context.Background()
	hs := stubHomeserver(t)
	sender = stubMachine(t, hs, "@sender:stub.local", "SENDERDEV")
	receiver = stubMachine(t, hs, "@receiver:stub.local", "RECEIVERDEV")
	if _, err := sender.Encrypt(ctx, roomID, "m.room.message", json.RawMessage(`{"msgtype":"m.text","body":"start"}`), noMembers); err != nil {
		t.Fatal(err)
	}
	keys, err := sender.ExportRoomKeys(ctx, "bench")
	if err != nil {
		t.Fatal(err)
	}
	if n, _, err := receiver.ImportRoomKeys(ctx, "bench", keys); err != nil || n != 1 {
		t.Fatalf("import room key: %d sessions, %v", n, err)
	}
	return sender, receiver
}

func noMembers(context.Context) ([]id.UserID, error) { return nil, nil }

// timelineEvent wraps encrypted content into a timeline event as a server would deliver it.
func timelineEvent(content json.RawMessage, sender id.UserID, n int) json.RawMessage {
	raw, _ := json.Marshal(map[string]any{"type": "m.room.encrypted", "event_id": fmt.Sprintf("$event%d:stub.local", n),
		"sender": sender, "origin_server_ts": 1700000000000 + n, "content": content})
	return raw
}
