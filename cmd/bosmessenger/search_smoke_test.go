//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
)

// TestSearchScreenshot runs the real app under Xvfb: messages in two encrypted rooms (sent with
// bosctl), Ctrl+Shift+F typed into the window, "brand" and Enter: the search view lists the hits of
// both rooms ("Brände" and "Brand" match). The screenshot (German) goes to docs/screenshots/ with
// UPDATE_SCREENSHOTS=1, else into a temp dir.
func TestSearchScreenshot(t *testing.T) {
	requireGUITools(t)
	srv := testserver.Shared(t)
	zf := newAccount(t, srv, "zugfuehrer")
	ls := newAccount(t, srv, "leitstelle")
	wache := oneID(t, zf.bosctl(t, "create-room", "--name", "Wache Nord", "--encrypted", "--invite", ls.id), roomIDRe)
	einsatz := oneID(t, zf.bosctl(t, "create-room", "--name", "Einsatz Mühlenweg", "--encrypted", "--invite", ls.id), roomIDRe)
	ls.bosctl(t, "join", wache)
	ls.bosctl(t, "join", einsatz)
	oneID(t, ls.bosctl(t, "send", wache, "Übung Samstag 9 Uhr: Thema Brandbekämpfung im Keller"), eventIDRe)
	oneID(t, ls.bosctl(t, "send", einsatz, "Zwei Brände in der Mühlenweg-Siedlung gemeldet, Löschzug 1 alarmiert"), eventIDRe)
	oneID(t, zf.bosctl(t, "send", einsatz, "Brand unter Kontrolle, Nachlöscharbeiten laufen"), eventIDRe)
	oneID(t, ls.bosctl(t, "send", wache, "Brand in der Kantine war nur angebranntes Toastbrot"), eventIDRe)
	zf.bosctl(t, "sync", "--once")

	x := startXvfb(t)
	shots := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
	}
	app := startApp(t, x, "de_DE.UTF-8", zf.dir, einsatz)
	app.waitTrace("room_shown", map[string]string{"room": einsatz}, 60*time.Second)
	win := x.waitWindow(t, windowTitle, 30*time.Second)
	x.xdotool(t, "windowfocus", win)
	x.xdotool(t, "key", "ctrl+shift+f")
	time.Sleep(500 * time.Millisecond)
	x.xdotool(t, "type", "--delay", "20", "brand")
	x.xdotool(t, "key", "Return")
	shown := app.waitTrace("search_shown", nil, 60*time.Second)
	if shown.args["hits"] != "3" {
		t.Errorf("search shows %s hits, want 3", shown.args["hits"])
	}
	time.Sleep(time.Second) // let the list settle
	checkScreenshot(t, x, win, filepath.Join(shots, "search-de.png"))
	if took, _ := app.terminate(10 * time.Second); took > 5*time.Second {
		t.Errorf("the app took %v to exit after SIGTERM", took)
	}
}
