package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/applock"
	"bosmessenger/session/policy"
)

var appLockTestParams = applock.Params{Time: 1, MemoryKiB: 64, Threads: 1}

type appLockFixture struct {
	w       fyne.Window
	secret  widget.Label // the main view's content, which the lock must hide
	now     time.Time
	state   []byte
	wiped   int
	locked  []bool
	loadErr error
}

func newAppLockFixture(t *testing.T) *appLockFixture {
	t.Helper()
	test.NewTempApp(t)
	SetLang("de")
	f := &appLockFixture{now: time.Unix(1_800_000_000, 0)}
	f.secret.SetText("Einsatz Brand Hauptstraße")
	f.w = test.NewWindow(&f.secret)
	t.Cleanup(f.w.Close)
	return f
}

func (f *appLockFixture) open(idle time.Duration, max int) *AppLock {
	return NewAppLock(f.w, AppLockConfig{Idle: idle, MaxAttempts: max, Params: &appLockTestParams,
		Now:               func() time.Time { return f.now },
		Load:              func() ([]byte, error) { return f.state, f.loadErr },
		Save:              func(b []byte) { f.state = b },
		Wipe:              func() { f.wiped++ },
		IsStorePassphrase: func(p string) bool { return p == "Speicher-Passphrase" },
		Locked:            func(on bool) { f.locked = append(f.locked, on) }})
}

// shows says whether the window's content contains the text s anywhere.
func (f *appLockFixture) shows(s string) bool {
	found := false
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			found = found || strings.Contains(v.Text, s)
		case *widget.Button:
			found = found || strings.Contains(v.Text, s)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(f.w.Content())
	return found
}

// setUp opens the app lock for the first time and sets the PIN.
func (f *appLockFixture) setUp(t *testing.T, idle time.Duration, max int) *AppLock {
	t.Helper()
	l := f.open(idle, max)
	if !l.IsLocked() || !f.shows("App-Sperre einrichten") || f.shows("Einsatz") {
		t.Fatal("no set-up view over the content at the first start")
	}
	l.SetSecret("12345", "12345")
	if !l.IsLocked() || !f.shows("mindestens 6 Zeichen") {
		t.Fatal("a 5-character PIN was accepted")
	}
	l.SetSecret("123456", "123465")
	if !l.IsLocked() || !f.shows("stimmen nicht überein") {
		t.Fatal("two different entries were accepted")
	}
	l.SetSecret("Speicher-Passphrase", "Speicher-Passphrase")
	if !l.IsLocked() || !f.shows("nicht die Passphrase des Speichers") {
		t.Fatal("the store passphrase was accepted as PIN")
	}
	test.Type(l.entry, "Leitstelle1")
	test.Type(l.repeat, "Leitstelle1")
	test.Tap(l.button)
	if l.IsLocked() || !f.shows("Einsatz") {
		t.Fatal("the content is not back after the PIN was set")
	}
	if strings.Contains(string(f.state), "Leitstelle1") {
		t.Fatal("the PIN is stored in plaintext")
	}
	return l
}

// The lock view hides the content at start; a wrong PIN is refused and, after the free attempts,
// shows the wait of the rate limit; the right PIN unlocks.
func TestAppLockAtStartWrongAndRightPIN(t *testing.T) {
	f := newAppLockFixture(t)
	f.setUp(t, 0, 0)

	l := f.open(0, 0) // the next start
	if !l.IsLocked() || !f.shows("BOS Messenger ist gesperrt") || !f.shows("Entsperren") || f.shows("Einsatz") {
		t.Fatal("no lock view over the content at start")
	}
	for i := 0; i < 3; i++ {
		test.Type(l.entry, "falsch")
		test.Tap(l.button)
		if !l.IsLocked() || !f.shows("Falsche PIN") {
			t.Fatalf("wrong PIN %d was not refused", i+1)
		}
	}
	if !f.shows("Nächster Versuch in 30s") {
		t.Fatalf("no wait after 3 wrong attempts: %q", l.msg.Text)
	}
	l.Submit("Leitstelle1") // even the right PIN waits
	if !l.IsLocked() || !f.shows("Nächster Versuch in 30s") {
		t.Fatalf("the right PIN was accepted during the wait: %q", l.msg.Text)
	}
	f.now = f.now.Add(31 * time.Second)
	test.Type(l.entry, "Leitstelle1")
	test.Tap(l.button)
	if l.IsLocked() || !f.shows("Einsatz") {
		t.Fatalf("the right PIN did not unlock: %q", l.msg.Text)
	}
	if len(f.locked) == 0 || f.locked[len(f.locked)-1] {
		t.Fatalf("lock changes %v", f.locked)
	}
}

// After idle_lock_minutes without input the window locks; input in time keeps it open; 0 locks only
// at start.
func TestAppLockIdleTimer(t *testing.T) {
	f := newAppLockFixture(t)
	l := f.setUp(t, 5*time.Minute, 0)
	f.now = f.now.Add(4 * time.Minute)
	l.CheckIdle()
	if l.IsLocked() {
		t.Fatal("locked before the idle time")
	}
	test.TypeOnCanvas(f.w.Canvas(), "x") // input resets the idle time
	f.now = f.now.Add(4 * time.Minute)
	l.CheckIdle()
	if l.IsLocked() {
		t.Fatal("input did not reset the idle time")
	}
	f.now = f.now.Add(time.Minute)
	f.w.Canvas().Overlays().Add(widget.NewLabel("Dialog: Einsatz Brand"))
	l.CheckIdle()
	if !l.IsLocked() || !f.shows("BOS Messenger ist gesperrt") || f.shows("Einsatz") {
		t.Fatal("not locked after the idle time")
	}
	if f.w.Canvas().Overlays().Top() != nil {
		t.Fatal("an open dialog stays over the lock view")
	}

	l.Submit("Leitstelle1")
	l.Stop()
	l = f.open(0, 0)
	l.Submit("Leitstelle1")
	f.now = f.now.Add(24 * time.Hour)
	l.CheckIdle()
	if l.IsLocked() {
		t.Fatal("idle_lock_minutes 0 locked after start")
	}
}

// After app_lock_max_attempts wrong attempts the wipe runs, once, and nothing unlocks any more.
func TestAppLockWipeAfterMaxAttempts(t *testing.T) {
	f := newAppLockFixture(t)
	f.setUp(t, 0, 5)
	l := f.open(0, 5)
	for i := 1; i <= 5; i++ {
		f.now = f.now.Add(time.Hour) // past every wait
		l.Submit("falsch")
		if i < 5 && (f.wiped != 0 || !f.shows("noch")) {
			t.Fatalf("attempt %d: wiped %d, %q", i, f.wiped, l.msg.Text)
		}
	}
	if f.wiped != 1 || !f.shows("Daten des Kontos") || !l.IsLocked() || !l.entry.Disabled() {
		t.Fatalf("no wipe after 5 wrong attempts: wiped %d, %q", f.wiped, l.msg.Text)
	}
	l = f.open(0, 5) // a restart does not reset the count
	l.Submit("Leitstelle1")
	if f.wiped != 2 || !l.IsLocked() {
		t.Fatalf("restart after the limit: wiped %d", f.wiped)
	}
}

// While locked, notifications show at most sender, even with notification_content full: the
// sender's name, never the message text; unlocked, full shows the text again.
func TestAppLockNotificationsShowAtMostSender(t *testing.T) {
	SetLang("de")
	var got []string
	now := time.Unix(1000, 0)
	n := newNotifier()
	n.content = session.NotifyFull
	n.now = func() time.Time { return now }
	n.send = func(title, body string) { got = append(got, title+" | "+body) }
	n.preview = func(id.RoomID) (session.NotificationPreview, bool) {
		return session.NotificationPreview{SenderName: "Anna Schmidt", Body: "Brand Hauptstraße 5"}, true
	}
	rooms := func(unread int) []session.RoomSummary {
		return []session.RoomSummary{{ID: idRoom("a"), Name: "Einsatz Brand", NotifyCount: unread, Membership: "join"}}
	}
	n.update(rooms(0), "")
	n.locked = true
	n.update(rooms(1), "")
	n.locked = false
	now = now.Add(time.Minute)
	n.update(rooms(2), "")
	want := []string{"BOS Messenger – Einsatz Brand | Neue Nachricht von Anna Schmidt",
		"BOS Messenger – Einsatz Brand | Anna Schmidt: Brand Hauptstraße 5"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// The real window with app_lock on: the set-up view covers the main view after opening, the lock
// view hides it again, and app_lock_max_attempts wrong entries wipe the account's data dir with
// the homeserver down (offline) and show the sign-in form.
func TestAppLockShellWipesAfterMaxAttempts(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	appLockParams = &appLockTestParams
	t.Cleanup(func() { appLockParams = nil })
	srv := testserver.Start(t, testserver.Options{})
	u := newFlowUser(t, srv, "lock")
	p, err := policy.Resolve(policy.Source{Name: "test policy", Managed: map[string]any{
		"app_lock": true, "idle_lock_minutes": int64(0), "app_lock_max_attempts": int64(3)}})
	if err != nil {
		t.Fatal(err)
	}
	scfg := session.ApplyPolicy(u.config(t), p)
	s, err := session.Login(testCtx(t), scfg, srv.URL, u.ID, flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	sh, a := openShellWith(t, q, u, scfg, ShellConfig{})
	q.drain()
	l := sh.appLock
	if l == nil || !l.IsLocked() || l.repeat == nil {
		t.Fatal("no set-up view after opening with app_lock on")
	}
	l.SetSecret("Leitstelle1", "Leitstelle1")
	if l.IsLocked() {
		t.Fatalf("still covered after set-up: %q", l.msg.Text)
	}
	if st, err := sh.Session().AppLockState(testCtx(t)); err != nil || len(st) == 0 ||
		fyne.CurrentApp().Preferences().String("applock.state."+u.Dir) != "" {
		t.Fatalf("the app lock state is not (only) in the store: %q, %v", st, err)
	}
	l.mu.Lock()
	before := l.lastInput
	l.mu.Unlock()
	time.Sleep(10 * time.Millisecond)
	a.composer.Entry.SetText("x") // a change of the draft counts as input (no room is open to type in)
	l.mu.Lock()
	after := l.lastInput
	l.mu.Unlock()
	if !after.After(before) {
		t.Fatal("typing in the composer did not reset the idle time")
	}
	time.Sleep(10 * time.Millisecond)
	tl := a.Timeline().View()
	moveLikeDesktop(sh.w.Canvas(), fyne.CurrentApp().Driver().AbsolutePositionForObject(tl).Add(fyne.NewPos(tl.Size().Width/2, tl.Size().Height/2)))
	l.mu.Lock()
	moved := l.lastInput
	l.mu.Unlock()
	if !moved.After(after) {
		t.Fatal("moving the mouse over the main view did not reset the idle time")
	}
	time.Sleep(10 * time.Millisecond)
	a.ShowCreateRoom() // a dialog as the shell wires them: mouse work over it counts (dialog_activity.go)
	q.drain()
	if sh.w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog for a new room")
	}
	cs := sh.w.Canvas().Size()
	moveLikeDesktop(sh.w.Canvas(), fyne.NewPos(cs.Width/2, cs.Height/2))
	l.mu.Lock()
	overDialog := l.lastInput
	l.mu.Unlock()
	if !overDialog.After(moved) {
		t.Fatal("moving the mouse over a dialog did not reset the idle time")
	}
	settings := false
	a.ShowSettings = func() { settings = true }
	l.Lock()
	a.Shortcut(ShortcutSettings)
	q.drain()
	if sh.w.MainMenu() != nil || settings {
		t.Fatal("menu or shortcuts reach the content while locked")
	}
	srv.Stop() // the wipe must not need the server
	for i := 0; i < 3; i++ {
		l.Submit("falsch")
	}
	q.until(t, "sign-in form after the wipe", func() bool { return sh.Session() == nil && sh.LoginForm() != nil })
	st, err := session.Inspect(u.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Wipe) > 0 {
		t.Fatalf("account data left after the wipe: %v", st.Wipe)
	}
}

// A state that cannot be read keeps the window locked (fail closed): no set-up view, which would
// let anyone choose a new PIN, and no unlocking.
func TestAppLockUnreadableStateStaysLocked(t *testing.T) {
	f := newAppLockFixture(t)
	f.loadErr = errors.New("failed to read the app lock state: database is locked")
	l := f.open(0, 0)
	if !l.IsLocked() || l.repeat != nil || !f.shows("nicht lesbar") || f.shows("Einsatz") || !l.entry.Disabled() {
		t.Fatal("an unreadable state did not keep the window locked")
	}
	l.Submit("Leitstelle1")
	if !l.IsLocked() {
		t.Fatal("unlocked without a state")
	}
}
