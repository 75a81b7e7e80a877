package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSearch: bosctl search finds a message of an encrypted room by a normalised word, across rooms
// and with --room, as JSON lines with exactly room_id, event_id, sender, ts and body, and as escaped
// plain lines; a text without words is a usage-level failure.
func TestSearch(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "searchA"), loggedIn(t, srv, "searchB")
	enc := a.createRoom("--name", "Suche verschlüsselt", "--invite", b.id) // encrypted by default
	b.ok("join", enc)
	plain := sharedRoom(t, a, b, "Suche offen")
	a.ok("sync", "--once")
	e1 := b.send(enc, "Zwei Brände gemeldet \x1b[31m")
	e2 := b.send(plain, "Brand gelöscht")
	b.send(enc, "Nichts los")

	r := a.ok("search", "BRAND", "--json")
	lines := r.lines()
	if len(lines) != 2 {
		t.Fatalf("search --json: %v", r)
	}
	want := []string{e2, e1}
	for i, line := range lines {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &raw); err != nil || len(raw) != 5 {
			t.Fatalf("hit %d is not an object with 5 keys: %s (%v)", i, line, err)
		}
		var hit struct {
			RoomID  string `json:"room_id"`
			EventID string `json:"event_id"`
			Sender  string `json:"sender"`
			TS      int64  `json:"ts"`
			Body    string `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &hit); err != nil {
			t.Fatal(err)
		}
		if hit.EventID != want[i] || hit.Sender != b.id || hit.TS <= 0 {
			t.Fatalf("hit %d: %+v, want %s", i, hit, want[i])
		}
		if i == 1 && (hit.RoomID != enc || hit.Body != "Zwei Brände gemeldet \x1b[31m") {
			t.Fatalf("encrypted hit: %+v", hit)
		}
	}
	r = a.ok("search", "brände", "--room", enc)
	if lines := r.lines(); len(lines) != 1 || !strings.Contains(lines[0], e1) || !strings.Contains(lines[0], b.id+": Zwei Brände gemeldet ") {
		t.Fatalf("search --room plain: %v", r)
	}
	noRawControls(t, "search", r.stdout)
	if r := a.ok("search", "Waldbrand"); r.stdout != "" {
		t.Fatalf("search without hits: %v", r)
	}
	mustFail(t, a.run("search", "?!"), 1, "no words")
	mustFail(t, a.run("search"), exitUsage, "usage: bosctl search")
}
