//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
)

// TestPollScreenshot runs the real app under Xvfb on an encrypted room with an availability poll
// (created and voted on with bosctl by three members of the Löschzug): the poll card with its
// answers, bars and "Umfrage beenden". The screenshot (German) goes to docs/screenshots/ with
// UPDATE_SCREENSHOTS=1, else into a temp dir.
func TestPollScreenshot(t *testing.T) {
	requireGUITools(t)
	srv := testserver.Shared(t)
	wf := newAccount(t, srv, "wehrfuehrer")
	ma := newAccount(t, srv, "maschinist")
	ag := newAccount(t, srv, "atemschutz")
	room := oneID(t, wf.bosctl(t, "create-room", "--name", "Löschzug 1", "--topic", "Verfügbarkeit und Dienstplan", "--encrypted",
		"--invite", ma.id, "--invite", ag.id), roomIDRe)
	ma.bosctl(t, "join", room)
	ag.bosctl(t, "join", room)
	oneID(t, wf.bosctl(t, "send", room, "Heute 19:30 Übung am Gerätehaus, Thema Atemschutz."), eventIDRe)
	pollID := oneID(t, wf.bosctl(t, "poll", "create", room, "--question", "Wer ist heute Abend zur Übung verfügbar?",
		"--answer", "Verfügbar", "--answer", "Ab 20 Uhr", "--answer", "Nicht verfügbar"), eventIDRe)
	oneID(t, ma.bosctl(t, "poll", "vote", room, pollID, "--answer", "Verfügbar"), eventIDRe)
	oneID(t, ag.bosctl(t, "poll", "vote", room, pollID, "--answer", "Ab 20 Uhr"), eventIDRe)
	oneID(t, wf.bosctl(t, "poll", "vote", room, pollID, "--answer", "Verfügbar"), eventIDRe)
	wf.bosctl(t, "sync", "--once")

	x := startXvfb(t)
	shots := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
	}
	app := startApp(t, x, "de_DE.UTF-8", wf.dir, room)
	app.waitTrace("room_shown", map[string]string{"room": room}, 60*time.Second)
	app.waitTrace("event_shown", map[string]string{"event": pollID}, 60*time.Second)
	win := x.waitWindow(t, windowTitle, 30*time.Second)
	time.Sleep(time.Second) // the rows measured their heights: let the list settle
	checkScreenshot(t, x, win, filepath.Join(shots, "poll-de.png"))
	if took, _ := app.terminate(10 * time.Second); took > 5*time.Second {
		t.Errorf("the app took %v to exit after SIGTERM", took)
	}
}
