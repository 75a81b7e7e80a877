package session_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestInspect names each state of a data dir: empty, logged in, incomplete (what is missing), and
// entries under our names that are not ours, which nothing ever deletes.
func TestInspect(t *testing.T) {
	write := func(t *testing.T, dir, name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sqlite := "SQLite format 3\x00 and more"
	if _, err := session.Inspect(""); !errors.Is(err, session.ErrNoDataDir) {
		t.Fatalf("Inspect(\"\"): %v", err)
	}
	for _, tc := range []struct {
		name    string
		files   map[string]string
		status  session.DirStatus
		missing []string
		foreign []string
		wipe    []string
	}{
		{"missing dir", nil, session.DirEmpty, nil, nil, nil},
		{"foreign files only", map[string]string{"notes.txt": "x", "log/other.log": "x", "lock": ""}, session.DirEmpty, nil, nil,
			[]string{"lock"}},
		{"logged in", map[string]string{"storekey.json": "{}", "bos.db": sqlite, "crypto.db": sqlite, "log/bosctl.log": "x",
			"log/other.log": "x"}, session.DirLoggedIn, nil, nil, []string{"storekey.json", "bos.db", "crypto.db", "log/bosctl.log"}},
		{"no key file", map[string]string{"bos.db": sqlite, "crypto.db": sqlite, "log/bosctl.log": "x"}, session.DirIncomplete,
			[]string{"storekey.json"}, nil, []string{"bos.db", "crypto.db", "log/bosctl.log", "log/"}},
		{"empty bos.db", map[string]string{"storekey.json": "{}", "bos.db": "", "crypto.db": sqlite}, session.DirIncomplete,
			[]string{"bos.db (empty)"}, nil, []string{"storekey.json", "bos.db", "crypto.db"}},
		{"only a WAL", map[string]string{"bos.db-wal": "\x37\x7f\x06\x82 wal"}, session.DirIncomplete,
			[]string{"storekey.json", "bos.db", "crypto.db"}, nil, []string{"bos.db-wal"}},
		{"foreign bos.db", map[string]string{"storekey.json": "{}", "bos.db": "my spreadsheet", "crypto.db": sqlite},
			session.DirIncomplete, nil, []string{"bos.db"}, []string{"storekey.json", "crypto.db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			for name, content := range tc.files {
				write(t, dir, name, content)
			}
			st, err := session.Inspect(dir)
			if err != nil {
				t.Fatal(err)
			}
			if st.Status != tc.status || !slices.Equal(st.Missing, tc.missing) || !slices.Equal(st.Foreign, tc.foreign) ||
				!slices.Equal(st.Wipe, tc.wipe) {
				t.Fatalf("got %+v\nwant status %s, missing %v, foreign %v, wipe %v", st, tc.status, tc.missing, tc.foreign, tc.wipe)
			}
			switch err := st.Err(); tc.status {
			case session.DirEmpty:
				if !errors.Is(err, session.ErrNotLoggedIn) {
					t.Fatalf("Err: %v", err)
				}
			case session.DirLoggedIn:
				if err != nil {
					t.Fatalf("Err: %v", err)
				}
			default:
				if !errors.Is(err, session.ErrIncompleteDataDir) || !strings.Contains(err.Error(), "key backup") {
					t.Fatalf("Err: %v", err)
				}
			}
		})
	}
	t.Run("symlink and dir under our names", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(t.TempDir(), "elsewhere.db")
		write(t, filepath.Dir(target), "elsewhere.db", sqlite)
		if err := os.Symlink(target, filepath.Join(dir, "bos.db")); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, "crypto.db"), 0o700); err != nil {
			t.Fatal(err)
		}
		st, err := session.Inspect(dir)
		if err != nil || st.Status != session.DirIncomplete || !slices.Equal(st.Foreign, []string{"bos.db", "crypto.db"}) ||
			len(st.Wipe) != 0 {
			t.Fatalf("got %+v, %v", st, err)
		}
		// Reset deletes nothing of them.
		if _, err := session.Reset(session.Config{DataDir: dir}, nil); err != nil {
			t.Fatalf("reset: %v", err)
		}
		if _, err := os.Lstat(filepath.Join(dir, "bos.db")); err != nil {
			t.Fatal("reset deleted a symlink that is not ours")
		}
		if fi, err := os.Stat(filepath.Join(dir, "crypto.db")); err != nil || !fi.IsDir() {
			t.Fatal("reset deleted a dir that is not ours")
		}
	})
}

// TestLoginRefusesPartialAccount: the engine logs into no dir that holds (part of) an account, and a
// failed login there (wrong password, right password, another user) changes nothing.
func TestLoginRefusesPartialAccount(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	s := alice.login(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(alice.Dir, "storekey.json")); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(alice.Dir, "log", "foreign.txt")
	if err := os.WriteFile(foreign, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		var out []string
		_ = filepath.WalkDir(alice.Dir, func(p string, _ os.DirEntry, _ error) error { out = append(out, p); return nil })
		return out
	}
	before := names()
	for _, try := range []struct{ user, password string }{{alice.Local, "wrong password"}, {alice.Local, testPassword}, {bob.Local, testPassword}} {
		_, err := session.Login(ctx(t), alice.config(), srv.URL, try.user, try.password)
		if !errors.Is(err, session.ErrIncompleteDataDir) || !strings.Contains(err.Error(), "storekey.json") {
			t.Fatalf("login of %s: %v", try.user, err)
		}
		if after := names(); !slices.Equal(before, after) {
			t.Fatalf("login of %s changed the data dir: %v -> %v", try.user, before, after)
		}
	}
	if _, err := session.Open(ctx(t), alice.config()); !errors.Is(err, session.ErrIncompleteDataDir) {
		t.Fatalf("open: %v", err)
	}
	// A short passphrase is refused before anything is created.
	cfg := bob.config()
	cfg.DataDir, cfg.Passphrase = filepath.Join(t.TempDir(), "new"), "kurz"
	if _, err := session.Login(ctx(t), cfg, srv.URL, bob.Local, testPassword); !errors.Is(err, session.ErrPassphraseTooShort) {
		t.Fatalf("short passphrase: %v", err)
	}
	if _, err := os.Stat(cfg.DataDir); err == nil {
		t.Fatal("a refused login created the data dir")
	}
}

// TestTamperedEventShowsAsDamaged: one event whose sealed content was altered on disk used to make
// the whole history of its room fail; now it shows as damaged and the others show.
func TestTamperedEventShowsAsDamaged(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	s := alice.login(t)
	roomID, err := s.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Lage", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, text := range []string{"eins", "zwei", "drei"} {
		ids = append(ids, mustSend(t, s, roomID, text).String())
	}
	waitForBodies(t, s, roomID, 50, "eins", "zwei", "drei")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite3", filepath.Join(alice.Dir, "bos.db"))
	if err != nil {
		t.Fatal(err)
	}
	// Flip one bit in each sealed value of the second message.
	var content, decrypted []byte
	if err := db.QueryRow(`SELECT content_sealed, decrypted_sealed FROM event WHERE event_id = ?`, ids[1]).Scan(&content, &decrypted); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{content, decrypted} {
		if len(b) > 0 {
			b[len(b)/2] ^= 1
		}
	}
	if _, err := db.Exec(`UPDATE event SET content_sealed = ?, decrypted_sealed = ? WHERE event_id = ?`, content, decrypted, ids[1]); err != nil {
		t.Fatalf("tamper: %v", err)
	}
	db.Close()

	s = alice.open(t)
	hist, err := s.History(ctx(t), roomID, 50)
	if err != nil {
		t.Fatalf("history with one tampered event: %v", err)
	}
	seen := map[string]session.TimelineEvent{}
	for _, ev := range hist {
		seen[ev.EventID.String()] = ev
	}
	if ev := seen[ids[1]]; !ev.Damaged || ev.Body != "" {
		t.Errorf("tampered event: %+v", ev)
	}
	for i, body := range map[int]string{0: "eins", 2: "drei"} {
		if ev := seen[ids[i]]; ev.Damaged || ev.Body != body {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	msgs, err := s.Timeline(ctx(t), roomID, 50)
	if err != nil {
		t.Fatalf("timeline with one tampered event: %v", err)
	}
	damaged := 0
	for _, m := range msgs {
		if m.Damaged {
			damaged++
		}
	}
	if damaged != 1 {
		t.Errorf("timeline shows %d damaged messages, want 1", damaged)
	}
}
