package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSyncOnceTwoPhases: a new device's `sync --once` returns when the room list is complete (the
// newest few events per room, every room with name and last message); history pages the rest
// in from the server. Without --quick, `sync --once` back-fills the timelines too.
func TestSyncOnceTwoPhases(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a := loggedIn(t, srv, "twophase")
	a.ok("sync", "--once")
	roomID := a.createRoom("--name", "Lage Süd", "--plain")
	var want []string
	for i := 1; i <= 8; i++ {
		want = append(want, fmt.Sprintf("Meldung %d", i))
		a.send(roomID, want[i-1])
	}
	if r := a.run("sync", "--quick"); r.code != 2 {
		t.Fatalf("sync --quick without --once: %v", r)
	}

	second := &user{t: t, srv: srv, local: a.local, id: a.id, dir: t.TempDir()}
	second.login(t)
	r := second.ok("sync", "--once", "--quick")
	m := regexp.MustCompile(`^synced: (\d+) rooms, (\d+) events\n$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("sync --once printed %q", r.stdout)
	}
	if n, _ := strconv.Atoi(m[2]); n > 5 {
		t.Fatalf("the first sync --once --quick stored %d events, want the newest few (phase 1)", n)
	}
	room, ok := second.rooms()[roomID]
	if !ok || room.Name != "Lage Süd" || room.LastMessage == nil || room.LastMessage.Body != "Meldung 8" {
		t.Fatalf("room list after sync --once: %+v", room)
	}
	if got := bodies(messages(second.history(roomID, 20))); !slices.Equal(got, want) {
		t.Fatalf("history after sync --once: %q", got)
	}

	third := &user{t: t, srv: srv, local: a.local, id: a.id, dir: t.TempDir()}
	third.login(t)
	third.ok("sync", "--once", "--quick")
	r = third.ok("sync", "--once")
	if m := regexp.MustCompile(`^synced: \d+ rooms, (\d+) events\n$`).FindStringSubmatch(r.stdout); m == nil || m[1] == "0" {
		t.Fatalf("sync --once after phase 1 printed %q, want the back-filled events", r.stdout)
	}
	// A new device's plain sync --once stores every room's timeline, as before the two phases:
	// the search of the store finds the oldest message.
	fifth := &user{t: t, srv: srv, local: a.local, id: a.id, dir: t.TempDir()}
	fifth.login(t)
	r = fifth.ok("sync", "--once")
	if m := regexp.MustCompile(`^synced: \d+ rooms, (\d+) events\n$`).FindStringSubmatch(r.stdout); m == nil {
		t.Fatalf("sync --once printed %q", r.stdout)
	} else if n, _ := strconv.Atoi(m[1]); n < 8 {
		t.Fatalf("a new device's sync --once stored %d events, want all 8 messages and more", n)
	}
	if r := fifth.ok("search", "Meldung 1", "--json"); !strings.Contains(r.stdout, `"Meldung 1"`) {
		t.Fatalf("search after sync --once: %q", r.stdout)
	}

	// login --sync: the initial sync in the login's process.
	fourth := &user{t: t, srv: srv, local: a.local, id: a.id, dir: t.TempDir()}
	pw := testPassword
	r = mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", fourth.dir, "login", "--sync", "--homeserver", srv.URL, "--user", a.local))
	if !regexp.MustCompile(`^Logged in as \S+ \(device \S+\) on \S+\nsynced: 1 rooms, \d+ events\n$`).MatchString(r.stdout) {
		t.Fatalf("login --sync printed %q", r.stdout)
	}
	if room := fourth.rooms()[roomID]; room.LastMessage == nil || room.LastMessage.Body != "Meldung 8" {
		t.Fatalf("room list after login --sync: %+v", room)
	}
}
