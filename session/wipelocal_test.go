package session_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// WipeLocal deletes the account's data with the homeserver down (the app lock's wipe must work
// offline), returns soon, and a second call on the closed session deletes nothing.
func TestWipeLocalOffline(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	alice := newAccount(t, srv, "alice")
	s := alice.login(t)
	mustSync(t, s)
	srv.Stop()
	start := time.Now()
	if err := s.WipeLocal(ctx(t)); err != nil {
		t.Fatalf("wipe with the server down: %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the wipe took %v with the server down", took)
	}
	st, err := session.Inspect(alice.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Wipe) > 0 {
		t.Fatalf("account data left after the wipe: %v", st.Wipe)
	}
	if _, err := session.Open(ctx(t), alice.config()); !errors.Is(err, session.ErrNotLoggedIn) {
		t.Fatalf("open after the wipe: want ErrNotLoggedIn, got %v", err)
	}
	if err := s.WipeLocal(ctx(t)); !errors.Is(err, session.ErrSessionClosed) {
		t.Fatalf("second wipe: want ErrSessionClosed, got %v", err)
	}
}

// IsStorePassphrase knows the store passphrase of the session (the app lock refuses it as PIN).
func TestIsStorePassphrase(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	s := alice.login(t)
	if !s.IsStorePassphrase(alice.config().Passphrase) || s.IsStorePassphrase("Leitstelle112") || s.IsStorePassphrase("") {
		t.Fatal("IsStorePassphrase does not tell the store passphrase from others")
	}
}

// The app lock's state is kept sealed in the store: it survives a restart and its JSON is nowhere
// in bos.db in plaintext (the wipe deletes bos.db, TestWipeLocalOffline).
func TestAppLockStateSealedInStore(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	s := alice.login(t)
	if st, err := s.AppLockState(ctx(t)); err != nil || st != nil {
		t.Fatalf("fresh account: %q, %v", st, err)
	}
	const state = `{"salt":"c2FsdA==","hash":"aGFzaA==","failures":2,"marker":"applock-klartext"}`
	if err := s.SetAppLockState(ctx(t), []byte(state)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = alice.open(t)
	if st, err := s.AppLockState(ctx(t)); err != nil || string(st) != state {
		t.Fatalf("after a restart: %q, %v", st, err)
	}
	for _, name := range []string{"bos.db", "bos.db-wal"} {
		if raw, err := os.ReadFile(filepath.Join(alice.Dir, name)); err == nil && bytes.Contains(raw, []byte("applock-klartext")) {
			t.Fatalf("%s holds the app lock state in plaintext", name)
		}
	}
}
