package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

// TestSyncOnceTwoPhases: a new device's `sync --once` returns when the room list is complete (the
// newest few events per room, every room with name and last message); history pages the rest
// in from the server, and `sync --once --full` back-fills the timelines.
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
	if r := a.run("sync", "--full"); r.code != 2 {
		t.Fatalf("sync --full without --once: %v", r)
	}

	second := &user{t: t, srv: srv, local: a.local, id: a.id, dir: t.TempDir()}
	second.login(t)
	r := second.ok("sync", "--once")
	m := regexp.MustCompile(`^synced: (\d+) rooms, (\d+) events\n$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("sync --once printed %q", r.stdout)
	}
	if n, _ := strconv.Atoi(m[2]); n > 5 {
		t.Fatalf("the first sync --once stored %d events, want the newest few (phase 1)", n)
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
	third.ok("sync", "--once")
	r = third.ok("sync", "--once", "--full")
	if m := regexp.MustCompile(`^synced: \d+ rooms, (\d+) events\n$`).FindStringSubmatch(r.stdout); m == nil || m[1] == "0" {
		t.Fatalf("sync --once --full after phase 1 printed %q, want the back-filled events", r.stdout)
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
