//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session/policy"
)

// TestManagedAndLockScreenshots runs the real app under Xvfb with an admin policy (a file via
// BOSMESSENGER_POLICY) that turns the app lock on with
// idle_lock_minutes 1: the PIN is set up with xdotool, the mouse moved over the main view every
// 12.5 s keeps the window open past the idle time, the settings' "Verwaltet" page is shown, and
// without input the window locks. Screenshots (German) of the managed page and the lock screen go to
// docs/screenshots/ with UPDATE_SCREENSHOTS=1, else into a temp dir.
func TestManagedAndLockScreenshots(t *testing.T) {
	requireGUITools(t)
	srv := testserver.Shared(t)
	a := newAccount(t, srv, "leitstelle")
	room := oneID(t, a.bosctl(t, "create-room", "--name", "Lage Nord", "--topic", "Verwaltetes Gerät", "--encrypted"), roomIDRe)
	oneID(t, a.bosctl(t, "send", room, "Lage: Brand in Lagerhalle, Einsatzabschnitt Nord"), eventIDRe)
	a.bosctl(t, "sync", "--once")

	dir := t.TempDir()
	policyPath := filepath.Join(dir, "policy.json")
	write := func(path, doc string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(policyPath, `{"managed": {"app_lock": true, "idle_lock_minutes": 1, "app_lock_max_attempts": 10,
		"notification_content": "sender", "max_upload_mb": 25, "keep_messages_days": 90, "disable_key_export": true,
		"disable_file_save": true}, "recommended": {"theme": "light"}}`)
	t.Setenv(policy.EnvPolicyFile, policyPath)

	x := startXvfb(t)
	shots := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
	}
	app := startApp(t, x, "de_DE.UTF-8", a.dir, room)
	app.waitTrace("applock_shown", map[string]string{"view": "setup"}, 60*time.Second)
	win := x.waitWindow(t, windowTitle, 30*time.Second)
	const pin = "Leitstelle112"
	x.xdotool(t, "windowfocus", win)
	x.xdotool(t, "type", "--delay", "30", pin)
	x.xdotool(t, "key", "Tab")
	x.xdotool(t, "type", "--delay", "30", pin)
	x.xdotool(t, "key", "Return")
	app.waitTrace("applock_unlocked", nil, 30*time.Second)
	app.waitTrace("room_shown", map[string]string{"room": room}, 60*time.Second)

	// Mouse movement alone keeps the window open past idle_lock_minutes (1 minute, checked every 5 s).
	locks := func() int {
		n := 0
		for _, l := range app.traceLines() {
			if l.kind == "applock_shown" && l.args["view"] == "lock" {
				n++
			}
		}
		return n
	}
	for i := range 6 { // 75 s
		time.Sleep(12500 * time.Millisecond)
		x.xdotool(t, "mousemove", "--window", win, strconv.Itoa(300+40*(i%2)), "400")
	}
	if n := locks(); n != 0 {
		t.Fatalf("the window locked %d times while the mouse moved", n)
	}
	// Settings (Ctrl+,), then the "Verwaltet" tab: the trace says where the tabs are; clicks
	// walk along the tab bar until the managed tab is selected.
	x.xdotool(t, "key", "ctrl+comma")
	shown := app.waitTrace("settings_shown", nil, 30*time.Second)
	num := func(k string) float64 {
		v, err := strconv.ParseFloat(shown.args[k], 64)
		if err != nil {
			t.Fatalf("settings_shown %s=%q", k, shown.args[k])
		}
		return v
	}
	scale := num("scale")
	if scale <= 0 {
		scale = 1
	}
	y := int((num("y") + 18) * scale)
	selected := false
	for dx := 10.0; dx < num("w") && !selected; dx += 25 {
		x.xdotool(t, "mousemove", "--window", win, strconv.Itoa(int((num("x")+dx)*scale)), strconv.Itoa(y), "click", "1")
		selected = eventually.Wait(time.Second, func() error {
			if _, ok := app.findTrace("settings_tab", map[string]string{"managed": "true"}); !ok {
				return errors.New("the Verwaltet tab is not selected")
			}
			return nil
		}) == nil
	}
	if !selected {
		t.Fatal("the Verwaltet tab could not be selected")
	}
	x.xdotool(t, "mousemove", "--window", win, "5", "5") // no hover highlight in the picture
	time.Sleep(time.Second)
	checkScreenshot(t, x, win, filepath.Join(shots, "managed-de.png"))

	// Without input (the last was the click on the tab) it locks, and the open dialog goes away.
	eventually.True(t, 90*time.Second, "the window to lock without input", func() bool { return locks() > 0 })

	time.Sleep(time.Second)
	checkScreenshot(t, x, win, filepath.Join(shots, "applock-de.png"))
	took, clean := app.terminate(10 * time.Second)
	if !clean {
		t.Errorf("the app did not exit cleanly on SIGTERM after %v: %v", took, app.err)
	}
}
