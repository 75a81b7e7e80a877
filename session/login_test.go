package session_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")

	// Nothing listens on this port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := ln.Addr().String()
	ln.Close()

	// A web server that is not a Matrix homeserver.
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html>Feuerwehr Musterstadt</html>"))
	}))
	defer web.Close()

	cases := []struct {
		name, hs, user, password string
		want                     error
	}{
		{"unreachable", "http://" + deadAddr, alice.Local, testPassword, session.ErrUnreachable},
		{"unreachable server name", deadAddr, alice.Local, testPassword, session.ErrUnreachable},
		{"not matrix", web.URL, alice.Local, testPassword, session.ErrNotMatrixServer},
		{"wrong password", srv.URL, alice.Local, "wrong-password-123", session.ErrLoginRefused},
		{"unknown user", srv.URL, "nobody", testPassword, session.ErrLoginRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := alice.config()
			cfg.DataDir = t.TempDir()
			_, err := session.Login(ctx(t), cfg, c.hs, c.user, c.password)
			if !errors.Is(err, c.want) {
				t.Fatalf("want %v, got %v", c.want, err)
			}
			if storekey.Exists(cfg.DataDir) {
				t.Error("a failed login left a store key behind")
			}
			if _, err := os.Stat(filepath.Join(cfg.DataDir, "bos.db")); err == nil {
				t.Error("a failed login left a database behind")
			}
		})
	}
}

func TestLoginDiscoversHomeserverFromMatrixID(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	// No homeserver given: the server name comes from the Matrix ID and /.well-known/matrix/client
	// (served by Dendrite) gives the base URL.
	s, err := session.Login(ctx(t), alice.config(), "", alice.UserID, testPassword)
	if err != nil {
		t.Fatalf("login with Matrix ID: %v", err)
	}
	defer s.Close()
	if got := s.Account(); got.UserID.String() != alice.UserID || !strings.HasPrefix(got.Homeserver, "http://127.0.0.1:") {
		t.Fatalf("account: %+v", got)
	}
	info, err := session.Discover(ctx(t), http.DefaultClient, srv.ServerName)
	if err != nil || info.BaseURL != srv.URL || len(info.Versions) == 0 {
		t.Fatalf("discover %s: %+v, %v", srv.ServerName, info, err)
	}
	// A second login into the same data dir is refused, the account is kept.
	s.Close()
	if _, err := session.Login(ctx(t), alice.config(), srv.URL, alice.Local, testPassword); !errors.Is(err, session.ErrAlreadyLoggedIn) {
		t.Fatalf("second login: want ErrAlreadyLoggedIn, got %v", err)
	}
	alice.open(t)
}

func TestWrongPassphraseChangesNothing(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	s := alice.login(t)
	mustSync(t, s)
	s.Close()
	before := snapshotDir(t, alice.Dir)
	cfg := alice.config()
	cfg.Passphrase = "not the passphrase"
	_, err := session.Open(ctx(t), cfg)
	if !errors.Is(err, storekey.ErrWrongPassphrase) {
		t.Fatalf("want ErrWrongPassphrase, got %v", err)
	}
	after := snapshotDir(t, alice.Dir)
	for name, data := range before {
		if after[name] != data {
			t.Errorf("%s changed after a wrong passphrase", name)
		}
	}
	alice.open(t) // the right passphrase still works
}

// snapshotDir reads every file below dir except the lock and logs.
func snapshotDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Name() == "lock" {
			return err
		}
		data, err := os.ReadFile(path)
		out[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
