package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// whoamiJSON is the output of whoami --json.
type whoamiJSON struct {
	UserID     string `json:"user_id"`
	DeviceID   string `json:"device_id"`
	Homeserver string `json:"homeserver"`
	// DeviceVerified: the device is signed by its owner's self-signing key (trusted here).
	DeviceVerified bool `json:"device_verified"`
}

func (u *user) whoami() whoamiJSON {
	u.t.Helper()
	r := u.ok("whoami", "--json")
	var w whoamiJSON
	if err := json.Unmarshal([]byte(r.stdout), &w); err != nil {
		u.t.Fatalf("whoami --json: %v: %v", err, r)
	}
	return w
}

// noAccountFiles checks that dir holds no store and no store key.
func noAccountFiles(t *testing.T, dir string) {
	t.Helper()
	for _, name := range []string{"bos.db", "bos.db-wal", "storekey.json"} {
		if fileExists(filepath.Join(dir, name)) {
			t.Errorf("%s still exists in the data dir", name)
		}
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := newUser(t, srv, "login")
	pw := testPassword

	t.Run("homeserver URL", func(t *testing.T) {
		dir := t.TempDir()
		r := mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local))
		if !strings.HasPrefix(r.stdout, "Logged in as "+u.id+" (device ") || !strings.HasSuffix(r.stdout, " on "+srv.URL+"\n") {
			t.Fatalf("unexpected output: %v", r)
		}
		w := whoamiIn(t, dir)
		if w.UserID != u.id || w.Homeserver != srv.URL || w.DeviceID == "" {
			t.Fatalf("whoami --json: %+v", w)
		}
		// Plain whoami: "USER DEVICE HOMESERVER".
		plain := mustOK(t, bosctl(t, runOpts{}, "--data", dir, "whoami"))
		if want := w.UserID + " " + w.DeviceID + " " + w.Homeserver + "\n"; plain.stdout != want {
			t.Fatalf("whoami printed %q, want %q", plain.stdout, want)
		}
		// A second login into the same data dir is refused and leaves the account alone.
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local),
			1, "already holds an account")
		if again := whoamiIn(t, dir); again != w {
			t.Fatalf("account changed after refused login: %+v, was %+v", again, w)
		}
	})

	t.Run("server name", func(t *testing.T) {
		// 127.0.0.1:PORT: /.well-known/matrix/client (plain HTTP is allowed on loopback) names the base URL.
		dir := t.TempDir()
		mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.ServerName, "--user", u.local))
		if w := whoamiIn(t, dir); w.UserID != u.id || w.Homeserver != srv.URL {
			t.Fatalf("whoami --json: %+v", w)
		}
	})

	t.Run("matrix ID without homeserver", func(t *testing.T) {
		dir := t.TempDir()
		r := mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--user", u.id))
		if !strings.Contains(r.stdout, u.id) {
			t.Fatalf("unexpected output: %v", r)
		}
		if w := whoamiIn(t, dir); w.UserID != u.id || w.Homeserver != srv.URL {
			t.Fatalf("whoami --json: %+v", w)
		}
	})

	t.Run("password on stdin", func(t *testing.T) {
		dir := t.TempDir()
		mustOK(t, bosctl(t, runOpts{stdin: testPassword + "\n"}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local))
		if w := whoamiIn(t, dir); w.UserID != u.id {
			t.Fatalf("whoami --json: %+v", w)
		}
	})
}

func whoamiIn(t *testing.T, dir string) whoamiJSON {
	t.Helper()
	r := mustOK(t, bosctl(t, runOpts{}, "--data", dir, "whoami", "--json"))
	var w whoamiJSON
	if err := json.Unmarshal([]byte(r.stdout), &w); err != nil || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("whoami --json is not one JSON line (%v): %v", err, r)
	}
	return w
}

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := newUser(t, srv, "loginerr")
	pw, wrong := testPassword, "wrong-password-123"

	// notLoggedIn checks that a failed login left nothing behind.
	notLoggedIn := func(t *testing.T, dir string) {
		t.Helper()
		noAccountFiles(t, dir)
		mustFail(t, bosctl(t, runOpts{}, "--data", dir, "whoami"), 1, "not logged in")
	}

	t.Run("wrong password", func(t *testing.T) {
		dir := t.TempDir()
		mustFail(t, bosctl(t, runOpts{password: &wrong}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local),
			1, "login refused")
		notLoggedIn(t, dir)
		// The data dir is usable for a correct login afterwards.
		mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local))
	})

	t.Run("unknown user", func(t *testing.T) {
		dir := t.TempDir()
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", "nobody-here"),
			1, "login refused")
		notLoggedIn(t, dir)
	})

	t.Run("unreachable homeserver", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + l.Addr().String()
		l.Close()
		dir := t.TempDir()
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", closed, "--user", u.local),
			1, "homeserver not reachable: "+closed)
		notLoggedIn(t, dir)
	})

	t.Run("not a matrix server", func(t *testing.T) {
		web := httptest.NewServer(http.NotFoundHandler())
		defer web.Close()
		dir := t.TempDir()
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", web.URL, "--user", u.local),
			1, "not a Matrix homeserver")
		notLoggedIn(t, dir)
	})

	t.Run("password never from argv", func(t *testing.T) {
		dir := t.TempDir()
		// No password anywhere but in argv: refused as an unknown flag, nothing is read from argv.
		mustFail(t, bosctl(t, runOpts{}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local, "--password", pw),
			2, "unknown flag --password")
		mustFail(t, bosctl(t, runOpts{}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local, "--password="+pw),
			2, "unknown flag --password")
		mustFail(t, bosctl(t, runOpts{}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local, pw), 2, "usage")
		// Even with a valid password in the environment the unknown flag stops the command before it
		// logs in (it must not log in and then complain).
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local, "--password", pw),
			2, "unknown flag --password")
		notLoggedIn(t, dir)
	})

	t.Run("no password", func(t *testing.T) {
		dir := t.TempDir()
		mustFail(t, bosctl(t, runOpts{}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local), 1, "no password")
		mustFail(t, bosctl(t, runOpts{stdin: "\n"}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local), 1, "no password")
		notLoggedIn(t, dir)
	})

	t.Run("bad homeserver", func(t *testing.T) {
		dir := t.TempDir()
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--user", "@nocolon"), 1, "invalid Matrix ID")
		notLoggedIn(t, dir)
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := loggedIn(t, srv, "logout")
	w := u.whoami()
	if w.DeviceID != u.device {
		t.Fatalf("whoami device %s, login said %s", w.DeviceID, u.device)
	}
	// The device exists on the server before logout.
	token := matrixLogin(t, srv, u.local)
	if devs := devices(t, srv, token); !slices.Contains(devs, u.device) {
		t.Fatalf("device %s not on the server before logout: %v", u.device, devs)
	}

	r := u.ok("logout")
	if r.stdout != "Logged out; local data deleted\n" {
		t.Fatalf("unexpected logout output: %v", r)
	}
	mustFail(t, u.run("whoami"), 1, "not logged in")
	mustFail(t, u.run("rooms"), 1, "not logged in")
	mustFail(t, u.run("logout"), 1, "not logged in")
	noAccountFiles(t, u.dir)
	entries, _ := os.ReadDir(u.dir)
	for _, e := range entries {
		if e.Name() != "lock" && e.Name() != "log" {
			t.Errorf("left in the data dir after logout: %s", e.Name())
		}
	}

	// A fresh plain-HTTP login (a new device) no longer sees the old device.
	token = matrixLogin(t, srv, u.local)
	if devs := devices(t, srv, token); slices.Contains(devs, u.device) {
		t.Fatalf("device %s still on the server after logout: %v", u.device, devs)
	}

	// The data dir takes a new login.
	u.login(t)
	if u.whoami().DeviceID == w.DeviceID {
		t.Fatal("new login reused the logged-out device")
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	t.Logf("bosctl binary built in %v (race detector: %v)", buildTime.Round(time.Millisecond), raceEnabled)
	dir := t.TempDir() // not logged in: usage errors must come before any account access
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"whoami", "--bogus"}, "--bogus"},
		{[]string{"whoami", "--bogus=1"}, "unknown flag --bogus for whoami"},
		{[]string{"rooms", "--json", "--limit", "3"}, "unknown flag --limit for rooms"},
		{[]string{"send", "!room:server", "text", "--format", "html"}, "unknown flag --format for send"},
		{[]string{"tail", "!room:server", "--since", "1h"}, "unknown flag --since for tail"},
		{[]string{"whoami", "--data"}, "flag --data needs a value"},
		{[]string{"whoami", "extra"}, "usage: bosctl whoami"},
		{[]string{"rooms", "extra"}, "usage: bosctl rooms"},
		{[]string{"logout", "extra"}, "usage: bosctl logout"},
		{[]string{"sync", "extra"}, "usage: bosctl sync"},
		{[]string{"login"}, "usage: bosctl login"},
		{[]string{"login", "--homeserver", "http://127.0.0.1:1"}, "usage: bosctl login"},
		{[]string{"create-room"}, "usage: bosctl create-room"},
		{[]string{"create-room", "--topic", "t"}, "usage: bosctl create-room"},
		{[]string{"dm"}, "usage: bosctl dm"},
		{[]string{"invite", "!room:server"}, "usage: bosctl invite"},
		{[]string{"join"}, "usage: bosctl join"},
		{[]string{"leave"}, "usage: bosctl leave"},
		{[]string{"send", "!room:server"}, "usage: bosctl send"},
		{[]string{"send", "!room:server", "a", "b"}, "usage: bosctl send"},
		{[]string{"members"}, "usage: bosctl members"},
		{[]string{"history"}, "usage: bosctl history"},
		{[]string{"history", "!room:server", "--limit", "0"}, "--limit must be at least 1"},
		{[]string{"history", "!room:server", "--limit", "x"}, "--limit wants a whole number"},
		{[]string{"history", "!room:server", "--limit", "-5"}, "--limit wants a whole number"},
		{[]string{"tail"}, "usage: bosctl tail"},
		{[]string{"tail", "!room:server", "--count", "many"}, "--count wants a whole number"},
		{[]string{"tail", "!room:server", "--timeout", "soon"}, "--timeout wants a duration"},
		{[]string{"tail", "!room:server", "--timeout", "-1s"}, "--timeout wants a duration"},
		{[]string{"tail", "!room:server", "--count"}, "flag --count needs a value"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			mustFail(t, bosctl(t, runOpts{}, append([]string{"--data", dir}, c.args...)...), 2, c.want)
		})
	}
	t.Run("help", func(t *testing.T) {
		t.Parallel()
		for _, args := range [][]string{nil, {"help"}, {"--help"}, {"send", "-h"}} {
			r := mustOK(t, bosctl(t, runOpts{}, append([]string{"--data", dir}, args...)...))
			if !strings.HasPrefix(r.stdout, "usage: bosctl") || !strings.Contains(r.stdout, "bosctl tail ROOM_ID") {
				t.Fatalf("no usage text: %v", r)
			}
		}
	})
}
