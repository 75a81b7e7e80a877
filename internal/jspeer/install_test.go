package jspeer_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
)

// TestInstall installs the pinned npm dependencies (`make deps` runs it
// alone), starts a peer and checks that it runs the pinned matrix-js-sdk.
func TestInstall(t *testing.T) {
	t.Parallel()
	dir := jspeer.Install(t)
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatal(err)
	}
	want := lock.Packages["node_modules/matrix-js-sdk"].Version
	if want == "" {
		t.Fatal("matrix-js-sdk missing from package-lock.json")
	}
	p := jspeer.Start(t, "http://127.0.0.1:1")
	if got := p.SDKVersion(); got != want {
		t.Fatalf("peer runs matrix-js-sdk %q, want %q", got, want)
	}
}

// SDK errors come back as *RemoteError with the Matrix error code.
func TestRemoteError(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	p := loggedIn(t, srv, "alice")
	_, err := p.Join(ctxT(t, 20*time.Second), "!nonexistent:"+srv.ServerName)
	var re *jspeer.RemoteError
	if !errors.As(err, &re) || re.Op != "join" {
		t.Fatalf("join of a missing room: %v (%T), want a *RemoteError", err, errors.Unwrap(err))
	}
	t.Logf("error: %v", err)
	if _, _, err := p.Login(ctxT(t, 5*time.Second), "alice", password); err == nil {
		t.Fatal("second login on one peer succeeded")
	}
}
