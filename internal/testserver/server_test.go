package testserver

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStartRegisterLoginKillRestart(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || s.ServerName != strings.TrimPrefix(s.URL, "http://") {
		t.Fatalf("unexpected addresses: URL %q, server name %q", s.URL, s.ServerName)
	}
	alice := s.Register(t, "alice", "alice-password")
	bob := s.Register(t, "bob", "bob-password")
	if alice != "@alice:"+s.ServerName || bob != s.UserID("bob") {
		t.Fatalf("unexpected user IDs %q %q", alice, bob)
	}
	token := login(t, s, "alice", "alice-password")
	login(t, s, "bob", "bob-password")

	var wk struct {
		Homeserver struct {
			BaseURL string `json:"base_url"`
		} `json:"m.homeserver"`
	}
	if code := call(t, http.MethodGet, s.URL+"/.well-known/matrix/client", "", nil, &wk); code != http.StatusOK {
		t.Fatalf("well-known: HTTP %d", code)
	}
	if strings.TrimSuffix(wk.Homeserver.BaseURL, "/") != s.URL {
		t.Fatalf("well-known base_url %q, want %q", wk.Homeserver.BaseURL, s.URL)
	}

	pid := s.PID()
	s.Kill()
	if s.Running() {
		t.Fatal("still running after Kill")
	}
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.URL, "http://"), time.Second); err == nil {
		c.Close()
		t.Fatal("client port still answers after Kill")
	}
	s.Restart(t)
	if s.PID() == pid || !s.Running() {
		t.Fatalf("Restart did not start a new process (pid %d, before %d)", s.PID(), pid)
	}
	var who struct {
		UserID string `json:"user_id"`
	}
	if code := call(t, http.MethodGet, s.URL+"/_matrix/client/v3/account/whoami", token, nil, &who); code != http.StatusOK || who.UserID != alice {
		t.Fatalf("old token after crash: HTTP %d, user %q", code, who.UserID)
	}
	login(t, s, "alice", "alice-password")
	if !strings.Contains(s.Logs(), "testserver:") {
		t.Fatalf("Logs misses the harness header:\n%s", s.Logs())
	}
}

func TestReuseDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := Start(t, Options{Dir: dir})
	s.Register(t, "carol", "carol-password")
	s.Stop()

	// A new Start on the same dir finds its port (and so its server name) and data again.
	again := Start(t, Options{Dir: dir})
	if again.ServerName != s.ServerName {
		t.Fatalf("server name %q, want %q", again.ServerName, s.ServerName)
	}
	login(t, again, "carol", "carol-password")
	again.Register(t, "dave", "dave-password") // the new run's shared secret works
	again.Stop()

	if _, err := StartE(t.Context(), Options{Dir: dir, Port: s.Port + 1}); err == nil || !strings.Contains(err.Error(), "created for server") {
		t.Fatalf("StartE with another port on a used dir: %v", err)
	}
}
