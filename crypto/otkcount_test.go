package crypto_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"

	"bosmessenger/crypto"
	"bosmessenger/store"
	"bosmessenger/store/seal"
)

// TestMissingOTKCountGeneratesNoKeys: a sync response without device_one_time_keys_count must not
// make a freshly started process generate and upload more one-time keys. (Each extra batch pushed
// the account over its 100 stored keys, dropping the oldest while the server still handed them out:
// a sender claiming one got "unknown one-time key", seen as a flaky bosctl test.) A present count
// below half still tops the keys up.
func TestMissingOTKCountGeneratesNoKeys(t *testing.T) {
	var mu sync.Mutex
	uploaded := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/keys/upload"):
			var req struct {
				OneTimeKeys map[string]json.RawMessage `json:"one_time_keys"`
			}
			_ = json.NewDecoder(r.Body).Decode(&req)
			mu.Lock()
			uploaded += len(req.OneTimeKeys)
			n := uploaded
			mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{"one_time_key_counts": map[string]int{"signed_curve25519": n}})
		case strings.HasSuffix(r.URL.Path, "/keys/query"):
			_, _ = w.Write([]byte(`{"device_keys":{},"failures":{}}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(srv.Close)
	count := func() int { mu.Lock(); defer mu.Unlock(); return uploaded }

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
	defer db.Close()
	open := func() *crypto.Machine {
		cli, err := mautrix.NewClient(srv.URL, "@otk:stub.local", "stub-token")
		if err != nil {
			t.Fatal(err)
		}
		cli.DeviceID = "OTKDEV"
		m, err := crypto.Open(ctx, cli, filepath.Join(dir, crypto.FileName), bytes.Repeat([]byte{9}, 32), db, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	m := open() // first start: device keys and the first one-time keys
	first := count()
	if first == 0 {
		t.Fatal("no one-time keys uploaded at the first start")
	}
	m.Close()
	for i := range 3 { // three short-lived processes, each with a sync that carries no count
		m = open()
		m.ProcessSync(ctx, crypto.SyncInput{Since: "s" + string(rune('1'+i))})
		m.Close()
	}
	if got := count(); got != first {
		t.Fatalf("syncs without a key count uploaded %d more one-time keys", got-first)
	}
	m = open()
	defer m.Close()
	m.ProcessSync(ctx, crypto.SyncInput{Since: "s9", OTKCounts: json.RawMessage(`{"signed_curve25519":3}`)})
	if got := count(); got <= first {
		t.Fatalf("a count of 3 left did not top the keys up (%d uploaded in all)", got)
	}
}
