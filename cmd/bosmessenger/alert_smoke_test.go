//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/attention"
	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
)

// TestAlertScreenshots runs the real app under Xvfb against a real Dendrite: an alarm sent with
// bosctl takes over a member's window (which gets the X11 urgency hint), the K key answers
// "Komme", and the dispatcher's app opens the alert's board (--board) with the responses of
// several members and the FMS panel. Screenshots (German) go to docs/screenshots/ with
// UPDATE_SCREENSHOTS=1, else into a temp dir. The alarm tone plays into the null backend.
func TestAlertScreenshots(t *testing.T) {
	requireGUITools(t)
	t.Setenv(envSilentAlarm, "1")
	srv := testserver.Shared(t)
	leit := newAccount(t, srv, "leitstelle")
	fw := newAccount(t, srv, "wehrfuehrer")
	others := []*account{newAccount(t, srv, "maschinist"), newAccount(t, srv, "atemschutz"), newAccount(t, srv, "sanitaeter")}
	args := []string{"create-room", "--name", "Einsatz Hauptstraße", "--topic", "FF Musterstadt, Löschzug 1", "--encrypted", "--invite", fw.id}
	for _, o := range others {
		args = append(args, "--invite", o.id)
	}
	room := oneID(t, leit.bosctl(t, args...), roomIDRe)
	for _, u := range append([]*account{fw}, others...) {
		joinRetry(t, u, room)
	}
	leit.bosctl(t, "sync", "--once")
	leit.bosctl(t, "status", "set", room, "2", "--unit", "DLK 23-1")

	x := startXvfb(t)
	shots := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
	}

	// The member's window: the alarm takes over.
	app := startApp(t, x, "de_DE.UTF-8", fw.dir, room)
	app.waitTrace("room_shown", map[string]string{"room": room}, 60*time.Second)
	win := x.waitWindow(t, windowTitle, 30*time.Second)
	time.Sleep(2 * time.Second) // the app's sync loop is past the join: the alert arrives live
	alertID := oneID(t, leit.bosctl(t, "alert", "send", room, "--keyword", "B3 Brand Gebäude",
		"--text", "Dachstuhlbrand, Menschenleben in Gefahr. Anfahrt über Schulstraße, Hydrant vor Haus 3.",
		"--address", "Hauptstraße 12, 54321 Musterstadt", "--unit", "HLF 20-1", "--unit", "DLK 23-1", "--unit", "ELW 1",
		"--deadline", "15m", "--required", "9"), eventIDRe)
	app.waitTrace("alert_shown", map[string]string{"event": alertID}, 60*time.Second)
	time.Sleep(1500 * time.Millisecond)
	checkScreenshot(t, x, win, filepath.Join(shots, "alert-de.png"))
	winID, err := strconv.ParseUint(strings.TrimSpace(win), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DISPLAY", x.display)
	if urgent, err := attention.Urgent(uintptr(winID)); err != nil || !urgent {
		t.Errorf("the alarm window has no urgency hint: %v %v", urgent, err)
	}
	x.xdotool(t, "windowfocus", win)
	x.xdotool(t, "key", "k")
	app.waitTrace("alert_answer", map[string]string{"event": alertID, "status": "coming"}, 30*time.Second)
	waitBoardJSON(t, leit, room, alertID, func(b boardJSON) bool { return b.Counts.Coming == 1 })
	app.terminate(10 * time.Second)

	// The others answer with bosctl; units report their status.
	others[0].bosctl(t, "alert", "respond", room, alertID, "--status", "coming", "--eta", "4")
	others[1].bosctl(t, "alert", "respond", room, alertID, "--status", "later", "--eta", "20", "--comment", "noch auf Arbeit")
	others[0].bosctl(t, "status", "set", room, "3", "--unit", "HLF 20-1")
	others[1].bosctl(t, "status", "set", room, "1", "--unit", "ELW 1")
	waitBoardJSON(t, leit, room, alertID, func(b boardJSON) bool { return b.Counts.Coming == 2 && b.Counts.Later == 1 })

	// The dispatcher's board.
	app = startProc(t, x, "de_DE.UTF-8", leit.dir, appBin, "--data", leit.dir, "--room", room, "--board", alertID)
	app.waitTrace("board_shown", map[string]string{"event": alertID, "coming": "2"}, 60*time.Second)
	win = x.waitWindow(t, windowTitle, 30*time.Second)
	time.Sleep(1500 * time.Millisecond)
	checkScreenshot(t, x, win, filepath.Join(shots, "board-de.png"))
	app.terminate(10 * time.Second)
}

// joinRetry joins the room with bosctl, syncing until the invite has arrived.
func joinRetry(t *testing.T, u *account, room string) {
	t.Helper()
	eventually.NoError(t, 60*time.Second, func() error {
		out, err := tryBosctl(u, "join", room)
		if err == nil && strings.TrimSpace(out) == room {
			return nil
		}
		u.bosctl(t, "sync", "--once")
		return fmt.Errorf("%s cannot join: %v %s", u.id, err, out)
	})
}

type boardJSON struct {
	Counts struct {
		Coming, Later int
	} `json:"counts"`
}

// waitBoardJSON polls `bosctl alert board --json` of the account until ok.
func waitBoardJSON(t *testing.T, a *account, room, alertID string, ok func(boardJSON) bool) {
	t.Helper()
	eventually.NoError(t, 60*time.Second, func() error {
		a.bosctl(t, "sync", "--once")
		var b boardJSON
		out := a.bosctl(t, "alert", "board", room, alertID, "--json")
		if err := json.Unmarshal([]byte(out), &b); err != nil {
			t.Fatalf("board JSON %q: %v", out, err)
		}
		if !ok(b) {
			return fmt.Errorf("board never got there: %s", out)
		}
		return nil
	})
}
