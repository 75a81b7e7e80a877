package session_test

import (
	"errors"
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
	srv := testserver.Start(t, testserver.Options{})
	alice := newAccount(t, srv, "alice")
	s := alice.login(t)
	if !s.IsStorePassphrase(alice.config().Passphrase) || s.IsStorePassphrase("Leitstelle112") || s.IsStorePassphrase("") {
		t.Fatal("IsStorePassphrase does not tell the store passphrase from others")
	}
}
