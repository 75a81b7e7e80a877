package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestFlowUnlockAndRoomSettings: an account whose store is locked with a passphrase opens with the
// unlock form (a wrong passphrase is refused, the right one opens the main view); then the room
// settings dialog renames the room, changes its topic and sets the notification level on the server.
func TestFlowUnlockAndRoomSettings(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	u := newFlowUser(t, srv, "unlock")
	s := u.login(t)
	ctx := testCtx(t)
	room, err := s.CreateRoom(ctx, session.CreateRoomOptions{Name: "Alt", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	locked := u.config(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	sctx, stop := context.WithCancel(context.Background())
	sh := StartShell(sctx, w, ShellConfig{DataDir: u.Dir, Room: room, SyncTimeout: time.Second,
		Open: func(ctx context.Context, pass string) (*session.Session, error) {
			c := locked
			c.Passphrase = pass // "" at start: no passphrase given, and no keyring holds this store's key
			return session.Open(ctx, c)
		}})
	t.Cleanup(func() {
		stop()
		done := make(chan struct{})
		go func() { sh.Wait(); close(done) }()
		q.until(t, "shell stopped", func() bool {
			select {
			case <-done:
				return true
			default:
				return false
			}
		})
		if s := sh.Session(); s != nil {
			s.Close()
		}
	})
	var uv *UnlockView
	q.until(t, "unlock form", func() bool { uv = sh.UnlockForm(); return uv != nil })
	test.Type(uv.Passphrase, "falsch")
	test.Tap(uv.Button)
	q.until(t, "wrong passphrase", func() bool { return uv.Error.Visible() && uv.Error.Text == T("unlock.wrong") })
	if uv.Passphrase.Text != "" {
		t.Error("the wrong passphrase stays in the field")
	}
	test.Type(uv.Passphrase, locked.Passphrase)
	test.Tap(uv.Button)
	var a *App
	q.until(t, "main view", func() bool { a = sh.App(); return a != nil && a.Current() == room && a.Header().Texts()[0] == "Alt" })

	// Room settings: rename and new topic, through the dialog, land on the server.
	a.ShowRoomSettings(room)
	q.until(t, "settings dialog", func() bool { return dlgTop(w) != nil && len(dlgEntries(dlgTop(w))) == 2 })
	entries := dlgEntries(dlgTop(w))
	entries[0].SetText("Lage Süd")
	entries[1].SetText("Abschnitt Süd, Führung: ELW 1")
	var notify *widget.Select
	dlgWalk(dlgTop(w), func(c fyne.CanvasObject) {
		if sel, ok := c.(*widget.Select); ok {
			notify = sel
		}
	})
	if notify == nil || notify.Selected != T("roomsettings.notify_all") {
		t.Fatalf("notification level select: %+v", notify)
	}
	notify.SetSelected(T("roomsettings.notify_mentions"))
	test.Tap(dlgButton(t, dlgTop(w), T("roomsettings.save")))
	q.until(t, "header updated from the server", func() bool {
		h := a.Header().Texts()
		return h[0] == "Lage Süd" && h[1] == "Abschnitt Süd, Führung: ELW 1"
	})
	q.until(t, "notification level on the server", func() bool {
		l, err := sh.Session().RoomNotificationLevel(ctx, room)
		return err == nil && l == session.RoomNotifyMentions
	})
}
