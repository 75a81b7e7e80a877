package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"bosmessenger/session"
)

// Tests of issue 11: bosctl never destroys data it did not create, names an incomplete data dir
// and resets it only when told, keeps its files private, and refuses dangerous input.

// snapshot records every entry under dir: its kind, mode and content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if _, err := os.Lstat(dir); err != nil {
		return out
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			out[rel] = "symlink -> " + target
		case d.IsDir():
			out[rel] = fmt.Sprintf("dir %v", info.Mode().Perm())
		default:
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("file %v %x", info.Mode().Perm(), data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameSnapshot reports the differences between two snapshots.
func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	var diffs []string
	for k, v := range before {
		if w, ok := after[k]; !ok {
			diffs = append(diffs, "deleted: "+k)
		} else if w != v {
			diffs = append(diffs, "changed: "+k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			diffs = append(diffs, "created: "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s changed the data dir: %s", what, strings.Join(diffs, ", "))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the regular files under src to dst, leaving out the names in skip.
func copyTree(t *testing.T, src, dst string, skip ...string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		for _, s := range skip {
			if rel == s {
				return nil
			}
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailedLoginKeepsEveryFile reproduces the data loss of issue 11: a failed login (wrong password,
// right password, another user) into a data dir with part of an account and foreign files deleted
// bos.db, crypto.db and log/ with a foreign file in it. Now every file survives, byte for byte.
func TestFailedLoginKeepsEveryFile(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := loggedIn(t, srv, "keep")
	other := newUser(t, srv, "keepother")
	pw, wrong := testPassword, "wrong-password-123"
	attempts := []struct {
		name, user string
		pw         *string
	}{
		{"wrong password", u.local, &wrong},
		{"right password", u.local, &pw},
		{"another user", other.local, &pw},
	}

	t.Run("account without its key file", func(t *testing.T) {
		dir := t.TempDir()
		copyTree(t, u.dir, dir, "storekey.json")
		writeFile(t, filepath.Join(dir, "notes.txt"), "Einsatzplanung, not ours")
		writeFile(t, filepath.Join(dir, "log", "foreign.txt"), "someone else's log")
		for _, name := range []string{"bos.db", "crypto.db", "log/bosctl.log"} {
			if !fileExists(filepath.Join(dir, name)) {
				t.Fatalf("the copy has no %s", name)
			}
		}
		before := snapshot(t, dir)
		for _, a := range attempts {
			r := mustFail(t, bosctl(t, runOpts{password: a.pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", a.user),
				1, "incomplete account")
			for _, want := range []string{"missing: storekey.json", "bosctl --data " + dir + " reset"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("%s: error does not say %q: %v", a.name, want, r)
				}
			}
			sameSnapshot(t, "login with "+a.name, before, snapshot(t, dir))
		}
	})

	t.Run("foreign files only", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o700); err != nil { // as any data dir after its first use
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "notes.txt"), "Einsatzplanung, not ours")
		writeFile(t, filepath.Join(dir, "log", "foreign.txt"), "someone else's log")
		writeFile(t, filepath.Join(dir, "bos.db.bak"), "a backup, not ours")
		before := snapshot(t, dir)
		for _, a := range attempts[:1] {
			mustFail(t, bosctl(t, runOpts{password: a.pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", a.user),
				1, "login refused")
			sameSnapshot(t, "login with "+a.name, before, snapshot(t, dir))
		}
		// A failed login for a user that does not exist, and with an unreachable server.
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", "nobody-here"),
			1, "login refused")
		sameSnapshot(t, "login of an unknown user", before, snapshot(t, dir))
		mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", "http://127.0.0.1:1", "--user", u.local),
			1, "not reachable")
		sameSnapshot(t, "login to an unreachable server", before, snapshot(t, dir))

		// A successful login and a logout delete only our files.
		mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local))
		mustOK(t, bosctl(t, runOpts{}, "--data", dir, "logout"))
		sameSnapshot(t, "login and logout", before, snapshot(t, dir))
	})

	t.Run("new data dir", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "a", "b")
		mustFail(t, bosctl(t, runOpts{password: &wrong}, "--data", dir, "login", "--homeserver", srv.URL, "--user", u.local),
			1, "login refused")
		if ents, _ := os.ReadDir(parent); len(ents) != 0 {
			t.Errorf("a failed login into a new data dir left %v behind", snapshot(t, parent))
		}
	})
}

// TestIncompleteDataDir reproduces the circle of issue 11 (a missing or empty bos.db: whoami says
// log in first, login says log out first, logout says not logged in): every command now names the
// state and the one command that resets the dir, and reset deletes exactly what it lists.
func TestIncompleteDataDir(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	pw := testPassword
	for _, tc := range []struct {
		name    string
		damage  func(dir string) error
		missing string
	}{
		{"bos.db missing", func(dir string) error {
			for _, s := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(filepath.Join(dir, "bos.db"+s)); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
			return nil
		}, "missing: bos.db"},
		{"bos.db empty", func(dir string) error {
			for _, s := range []string{"-wal", "-shm"} {
				_ = os.Remove(filepath.Join(dir, "bos.db"+s))
			}
			return os.Truncate(filepath.Join(dir, "bos.db"), 0)
		}, "missing: bos.db (empty)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := loggedIn(t, srv, "incomplete")
			writeFile(t, filepath.Join(u.dir, "notes.txt"), "not ours")
			writeFile(t, filepath.Join(u.dir, "log", "foreign.txt"), "not ours either")
			if err := tc.damage(u.dir); err != nil {
				t.Fatal(err)
			}
			hint := "bosctl --data " + u.dir + " reset"
			for _, args := range [][]string{{"whoami"}, {"logout"}, {"rooms"}} {
				r := mustFail(t, u.run(args...), 1, "incomplete account")
				if !strings.Contains(r.stderr, tc.missing) || !strings.Contains(r.stderr, hint) ||
					!strings.Contains(r.stderr, "key backup") {
					t.Errorf("%s does not name the state, the recovery and the reset: %v", args[0], r)
				}
			}
			r := mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", u.dir, "login", "--homeserver", srv.URL, "--user", u.local),
				1, tc.missing)
			if !strings.Contains(r.stderr, hint) {
				t.Errorf("login does not name the reset: %v", r)
			}

			// Without --yes and without a terminal reset refuses, naming what it would delete.
			before := snapshot(t, u.dir)
			r = mustFail(t, u.run("reset"), 1, "refusing to reset without --yes")
			for _, name := range []string{"storekey.json", "crypto.db", "log/bosctl.log"} {
				if !strings.Contains(r.stderr, filepath.Join(u.dir, name)) {
					t.Errorf("reset does not list %s: %v", name, r)
				}
			}
			if strings.Contains(r.stderr, "notes.txt") || strings.Contains(r.stderr, "foreign.txt") {
				t.Errorf("reset lists foreign files: %v", r)
			}
			sameSnapshot(t, "reset without --yes", before, snapshot(t, u.dir))

			r = u.ok("reset", "--yes")
			if !strings.Contains(r.stdout, filepath.Join(u.dir, "crypto.db")) || !strings.Contains(r.stdout, "Reset "+u.dir) {
				t.Errorf("reset --yes output: %v", r)
			}
			after := snapshot(t, u.dir)
			want := []string{".", "log", "log/foreign.txt", "notes.txt"}
			var got []string
			for k := range after {
				got = append(got, k)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("after reset the data dir holds %v, want %v", got, want)
			}
			mustOK(t, u.run("reset")) // nothing left to delete
			u.login(t)
			if w := u.whoami(); w.UserID != u.id {
				t.Fatalf("whoami after reset and login: %+v", w)
			}
		})
	}
}

// TestDataFilesArePrivate: the data dir is 0700 and every file in it 0600 (SQLite made its databases
// 0644), also files an older version left readable: the next command tightens them.
func TestDataFilesArePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	t.Parallel()
	srv := sharedServer(t)
	u := loggedIn(t, srv, "private")
	check := func(when string) {
		t.Helper()
		n := 0
		err := filepath.WalkDir(u.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, _ := d.Info()
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if info.Mode().Perm() != want {
				t.Errorf("%s: %s has mode %v, want %v", when, path, info.Mode().Perm(), want)
			}
			n++
			return nil
		})
		if err != nil || n < 6 {
			t.Fatalf("%s: walked %d entries: %v", when, n, err)
		}
	}
	check("after login")
	_ = filepath.WalkDir(u.dir, func(path string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			return os.Chmod(path, 0o755)
		}
		return os.Chmod(path, 0o644)
	})
	u.ok("whoami")
	check("after whoami on files made readable")
}

// TestDownloadNeverOverwrites: download --out does not overwrite a file or write through a symlink
// unless --force, and --force replaces the entry itself, never the symlink's target.
func TestDownloadNeverOverwrites(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := loggedIn(t, srv, "download")
	roomID := u.createRoom("--name", "Downloads", "--plain")
	src := filepath.Join(t.TempDir(), "lage.txt")
	writeFile(t, src, "Lagebericht 0815")
	eventID := oneID(t, u.ok("send-file", roomID, src), eventIDRe)
	u.history(roomID, 10) // syncs: the event is stored

	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.txt")
	writeFile(t, existing, "keep me")
	target := filepath.Join(t.TempDir(), "target.txt")
	writeFile(t, target, "symlink target, keep me")
	link := filepath.Join(dir, "link.txt")
	dangling := filepath.Join(dir, "dangling.txt")
	danglingTarget := filepath.Join(t.TempDir(), "created-through-link.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(danglingTarget, dangling); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	for _, out := range []string{existing, link, dangling} {
		mustFail(t, u.run("download", eventID, "--out", out), 1, "exists (--force replaces it)")
	}
	sameSnapshot(t, "download without --force", before, snapshot(t, dir))
	if data, _ := os.ReadFile(target); string(data) != "symlink target, keep me" || fileExists(danglingTarget) {
		t.Fatal("download wrote through a symlink")
	}

	fresh := filepath.Join(dir, "fresh.txt")
	u.ok("download", eventID, "--out", fresh)
	for _, out := range []string{existing, link, fresh} {
		u.ok("download", eventID, "--out", out, "--force")
		fi, err := os.Lstat(out)
		data, _ := os.ReadFile(out)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 || !bytes.Equal(data, []byte("Lagebericht 0815")) {
			t.Errorf("download --force to %s: %v %v %q", out, fi.Mode(), err, data)
		}
	}
	if data, _ := os.ReadFile(target); string(data) != "symlink target, keep me" {
		t.Fatal("download --force wrote through a symlink")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".bosctl-download-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestRefusedInput: input that must not create anything or reach the network.
func TestRefusedInput(t *testing.T) {
	t.Parallel()
	pw := testPassword
	parent := t.TempDir()
	dir := filepath.Join(parent, "data")
	login := func(o runOpts, hs, user string) result {
		o.password = &pw
		return bosctl(t, o, "--data", dir, "login", "--homeserver", hs, "--user", user)
	}
	nothingCreated := func(what string) {
		t.Helper()
		if ents, _ := os.ReadDir(parent); len(ents) != 0 {
			t.Errorf("%s created %v", what, snapshot(t, parent))
		}
	}

	r := mustFail(t, login(runOpts{}, "https://alice:s3cret-Passw0rd@127.0.0.1:1", "alice"), 1, "must not contain a user name or password")
	if strings.Contains(r.stderr, "s3cret") || strings.Contains(r.stderr, "alice:") {
		t.Errorf("the credentials are echoed: %v", r)
	}
	r = mustFail(t, login(runOpts{}, "", "@alice:pw@127.0.0.1:1"), 1, "must not contain a user name or password")
	if strings.Contains(r.stderr, "pw@") {
		t.Errorf("the credentials are echoed: %v", r)
	}
	nothingCreated("a homeserver URL with credentials")
	for _, hs := range []string{"ftp://127.0.0.1:1", "file:///etc/passwd", "gopher://example.org"} {
		mustFail(t, login(runOpts{}, hs, "alice"), 1, "unsupported scheme")
	}
	nothingCreated("an unsupported scheme")
	mustFail(t, login(runOpts{env: []string{"BOSMESSENGER_PASSPHRASE=kurz"}}, "http://127.0.0.1:1", "alice"), 1,
		"passphrase is too short (at least 8 characters)")
	nothingCreated("a short passphrase")

	// --data "" is an error, not the default data dir.
	for _, args := range [][]string{{"--data", "", "whoami"}, {"--data=", "login", "--homeserver", "http://127.0.0.1:1", "--user", "alice"},
		{"--data", "", "reset", "--yes"}} {
		mustFail(t, bosctl(t, runOpts{password: &pw}, args...), 2, "--data wants a directory")
	}
	if fileExists(xdgDataDir) {
		t.Errorf("--data \"\" used the default data dir %s", xdgDataDir)
	}
}

// TestDamagedEventOutput: a damaged event shows as such in human output, and as "damaged": true in JSON.
func TestDamagedEventOutput(t *testing.T) {
	var out bytes.Buffer
	a := &args{stdout: &out}
	ev := session.TimelineEvent{EventID: "$x", Sender: "@a:b", Type: "m.room.message", Damaged: true}
	if err := printEvent(a, ev, false); err != nil || !strings.Contains(out.String(), "[damaged:") {
		t.Fatalf("human output %q, %v", out.String(), err)
	}
	out.Reset()
	if err := printEvent(a, ev, true); err != nil || !strings.Contains(out.String(), `"damaged":true`) {
		t.Fatalf("JSON output %q, %v", out.String(), err)
	}
}
