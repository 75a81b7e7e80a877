//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
)

// TestThreadScreenshot shows the real window under Xvfb with a thread open beside an encrypted
// room (replies sent with bosctl send --thread, a location with send-location); the screenshot
// goes to docs/screenshots/thread-de.png with UPDATE_SCREENSHOTS=1, else into a temp dir.
func TestThreadScreenshot(t *testing.T) {
	requireGUITools(t)
	srv := testserver.Shared(t)
	a := newAccount(t, srv, "leitstelle")
	b := newAccount(t, srv, "thw")
	room := oneID(t, a.bosctl(t, "create-room", "--name", "Hochwasser Abschnitt Süd", "--encrypted", "--invite", b.id), roomIDRe)
	oneID(t, b.bosctl(t, "join", room), roomIDRe)
	oneID(t, a.bosctl(t, "send", room, "Lagemeldung 14:00: Pegel 6,20 m, Deich Süd wird gesichert"), eventIDRe)
	root := oneID(t, a.bosctl(t, "send", room, "Wer übernimmt die Sandsackfüllung am Bauhof?"), eventIDRe)
	b.bosctl(t, "sync", "--once")
	oneID(t, b.bosctl(t, "send", room, "THW OV: Fachgruppe Logistik übernimmt, 12 Helfer", "--thread", root), eventIDRe)
	a.bosctl(t, "sync", "--once")
	oneID(t, a.bosctl(t, "send", room, "Danke. Radlader kommt vom Bauhof um 14:30", "--thread", root), eventIDRe)
	b.bosctl(t, "sync", "--once")
	oneID(t, b.bosctl(t, "send", room, "Verstanden, Übergabe an der Einfahrt Nord", "--thread", root), eventIDRe)
	oneID(t, b.bosctl(t, "send-location", room, "50.73438", "7.09549", "--description", "Bauhof, Einfahrt Nord"), eventIDRe)
	a.bosctl(t, "sync", "--once")

	x := startXvfb(t)
	shots := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
	}
	app := startProc(t, x, "de_DE.UTF-8", a.dir, appBin, "--data", a.dir, "--room", room, "--thread", root)
	app.waitTrace("room_shown", map[string]string{"room": room}, 60*time.Second)
	shown := app.waitTrace("thread_shown", map[string]string{"root": root}, 60*time.Second)
	if shown.args["messages"] != "4" {
		t.Fatalf("the thread shows %s messages, want the root and 3 replies", shown.args["messages"])
	}
	win := x.waitWindow(t, windowTitle, 30*time.Second)
	x.xdotool(t, "windowsize", win, "1280", "800") // room and thread side by side want a wide window
	time.Sleep(2 * time.Second)                    // names and the summary settle
	checkScreenshot(t, x, win, filepath.Join(shots, "thread-de.png"))
	app.terminate(10 * time.Second)
}
