package session_test

import (
	"errors"
	"sync"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

// memKeyring stands in for the OS keyring (Secret Service, Credential Manager, Keychain), which a
// headless test machine does not have.
type memKeyring struct {
	mu      sync.Mutex
	entries map[string]string
	broken  bool
}

func (k *memKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.broken {
		return "", errors.New("no secret service on the session bus")
	}
	v, ok := k.entries[service+"/"+user]
	if !ok {
		return "", storekey.ErrKeyringEntryNotFound
	}
	return v, nil
}

func (k *memKeyring) Set(service, user, password string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.broken {
		return errors.New("no secret service on the session bus")
	}
	k.entries[service+"/"+user] = password
	return nil
}

func (k *memKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.entries, service+"/"+user)
	return nil
}

func TestStoreKeyInKeyringWhenNoPassphrase(t *testing.T) {
	t.Setenv(storekey.EnvPassphrase, "")
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	kr := &memKeyring{entries: map[string]string{}}
	cfg := alice.config()
	cfg.Passphrase, cfg.Keyring = "", kr
	s, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, s)
	s.Close()
	if m, _ := storekey.Method(alice.Dir); m != storekey.MethodKeyring || len(kr.entries) != 1 {
		t.Fatalf("store key method %q, %d keyring entries", m, len(kr.entries))
	}
	s, err = session.Open(ctx(t), cfg)
	if err != nil {
		t.Fatalf("reopen with keyring: %v", err)
	}
	if err := s.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if len(kr.entries) != 0 {
		t.Fatal("logout left the store key in the keyring")
	}

	// No keyring and no passphrase: a clear error, nothing created, no device left on the server.
	bob := newAccount(t, srv, "bob")
	cfg = bob.config()
	cfg.Passphrase, cfg.Keyring = "", &memKeyring{broken: true}
	_, err = session.Login(ctx(t), cfg, srv.URL, bob.Local, testPassword)
	if !errors.Is(err, session.ErrNoStoreSecret) {
		t.Fatalf("want ErrNoStoreSecret, got %v", err)
	}
	if storekey.Exists(bob.Dir) {
		t.Fatal("failed login left a key file")
	}
}
