package session_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bosmessenger/internal/secretservice"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

// TestStoreKeyInRealSecretService runs the keyring path of TestStoreKeyInKeyringWhenNoPassphrase
// against the real OS keyring: go-keyring on a private gnome-keyring-daemon, checked from outside
// with secret-tool.
func TestStoreKeyInRealSecretService(t *testing.T) {
	secretservice.Start(t)
	t.Setenv(storekey.EnvPassphrase, "")
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	cfg := alice.config()
	cfg.Passphrase, cfg.Keyring = "", nil // nil: storekey.OSKeyring
	s, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, s)
	s.Close()

	service, user, ok := storekey.KeyringEntry(alice.Dir)
	if m, _ := storekey.Method(alice.Dir); m != storekey.MethodKeyring || !ok || service != storekey.KeyringService {
		t.Fatalf("store key method %q, keyring entry %q (%v)", m, service, ok)
	}
	if !secretItemExists(t, service, user) {
		t.Fatal("secret-tool finds no item for the store key")
	}
	secret := secretLookup(t, service, user)
	key, err := base64.StdEncoding.DecodeString(secret)
	if err != nil || len(key) != storekey.KeySize {
		t.Fatalf("the keyring item is not a base64 store key (%d bytes, %v)", len(key), err)
	}
	assertNotInFiles(t, alice.Dir, []byte(secret), key)

	// Reopen: the key comes from the keyring.
	s, err = session.Open(ctx(t), cfg)
	if err != nil {
		t.Fatalf("reopen with the OS keyring: %v", err)
	}
	s.Close()

	// The item deleted behind our back: Open fails with the typed error and deletes nothing.
	before, err := session.Inspect(alice.Dir)
	if err != nil {
		t.Fatal(err)
	}
	secretTool(t, nil, "clear", "service", service, "username", user)
	if secretItemExists(t, service, user) {
		t.Fatal("secret-tool clear left the item")
	}
	if _, err := session.Open(ctx(t), cfg); !errors.Is(err, storekey.ErrKeyringEntryNotFound) {
		t.Fatalf("open without the keyring item: want ErrKeyringEntryNotFound, got %v", err)
	}
	if after, err := session.Inspect(alice.Dir); err != nil || !slices.Equal(after.Present, before.Present) {
		t.Fatalf("failed open changed the data dir: %v -> %v (%v)", before.Present, after.Present, err)
	}

	// Put the item back from outside: Open works again, and logout removes the item.
	secretTool(t, strings.NewReader(secret), "store", "--label=restored", "service", service, "username", user)
	s, err = session.Open(ctx(t), cfg)
	if err != nil {
		t.Fatalf("open with the restored keyring item: %v", err)
	}
	if err := s.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if secretItemExists(t, service, user) {
		t.Fatal("logout left the store key in the OS keyring")
	}

	// Reset (no server) removes the item too.
	bob := newAccount(t, srv, "bob")
	cfg = bob.config()
	cfg.Passphrase, cfg.Keyring = "", nil
	s, err = session.Login(ctx(t), cfg, srv.URL, bob.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	service, user, _ = storekey.KeyringEntry(bob.Dir)
	if !secretItemExists(t, service, user) {
		t.Fatal("secret-tool finds no item for bob's store key")
	}
	st, err := session.Inspect(bob.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := session.Reset(cfg, st.Wipe); err != nil {
		t.Fatal(err)
	}
	if secretItemExists(t, service, user) {
		t.Fatal("reset left the store key in the OS keyring")
	}
}

// secretTool runs secret-tool and returns its stdout, which may hold a secret: never log it.
func secretTool(t *testing.T, stdin *strings.Reader, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("secret-tool", args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && args[0] != "lookup" {
		t.Fatalf("secret-tool %s: %v: %s", args[0], err, stderr.String())
	}
	return append(out, stderr.Bytes()...)
}

// secretItemExists says whether `secret-tool search` lists an item with our attributes.
func secretItemExists(t *testing.T, service, user string) bool {
	t.Helper()
	out := secretTool(t, nil, "search", "--all", "service", service, "username", user)
	return bytes.Contains(out, []byte("attribute.username = "+user))
}

func secretLookup(t *testing.T, service, user string) string {
	t.Helper()
	out := secretTool(t, nil, "lookup", "service", service, "username", user)
	return strings.TrimSpace(string(out))
}

// assertNotInFiles fails when any file under dir holds one of the secrets.
func assertNotInFiles(t *testing.T, dir string, secrets ...[]byte) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s holds the store key", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
