package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/exportdoc"
	"bosmessenger/session/policy"
)

// "Einsatz exportieren …" in the room header: the chosen folder gets a new export directory, a
// progress dialog is replaced by the result, and the export verifies; with disable_chat_export the
// button is disabled with a lock and the action refuses.
func TestRoomExportAction(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	u := newFlowUser(t, srv, "export")
	s := u.login(t)
	room, err := s.CreateRoom(testCtx(t), session.CreateRoomOptions{Name: "Einsatz Brücke/Süd", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	txn, err := s.Send(testCtx(t), room, session.Draft{Text: "Brücke gesperrt, Umleitung über Feldweg", Plain: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitSent(testCtx(t), txn); err != nil {
		t.Fatal(err)
	}
	s.Close()

	parent := t.TempDir()
	old := chooseExportFolder
	t.Cleanup(func() { chooseExportFolder = old })
	chooseExportFolder = func(_ fyne.Window, done func(string)) { done(parent) }

	_, a := openShell(t, q, u, ShellConfig{SyncTimeout: time.Second})
	q.until(t, "room listed", func() bool { return len(a.RoomList().Rooms()) > 0 })
	a.OpenRoom(room)
	btn := a.Header().ExportButton()
	q.until(t, "export button", func() bool { return btn.Visible() && !btn.Disabled() })
	if btn.Text != "Einsatz exportieren …" {
		t.Fatalf("button %q", btn.Text)
	}
	test.Tap(btn)
	q.until(t, "result dialog", func() bool { return dialogText(a, "Einsatz exportiert") })
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, a.w, "room_export")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "Einsatz-Brücke-Süd-") {
		t.Fatalf("export dirs %v", entries)
	}
	dir := filepath.Join(parent, entries[0].Name())
	rep, err := a.s.(*session.Session).VerifyExport(testCtx(t), dir)
	if err != nil || !rep.Valid {
		t.Fatalf("verify the GUI's export: %+v %v", rep, err)
	}
	if _, err := os.Stat(filepath.Join(dir, exportdoc.FilePDF)); err != nil {
		t.Fatal(err)
	}
}

func TestRoomExportLockedByPolicy(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	u := newFlowUser(t, srv, "noexport")
	p, err := policy.Resolve(policy.Source{Name: "test policy", Managed: map[string]any{"disable_chat_export": true}})
	if err != nil {
		t.Fatal(err)
	}
	scfg := session.ApplyPolicy(u.config(t), p)
	s, err := session.Login(testCtx(t), scfg, srv.URL, u.ID, flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	room, err := s.CreateRoom(testCtx(t), session.CreateRoomOptions{Name: "Gesperrt", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	chosen := false
	old := chooseExportFolder
	t.Cleanup(func() { chooseExportFolder = old })
	chooseExportFolder = func(fyne.Window, func(string)) { chosen = true }

	_, a := openShellWith(t, q, u, scfg, ShellConfig{SyncTimeout: time.Second})
	q.until(t, "room listed", func() bool { return len(a.RoomList().Rooms()) > 0 })
	a.OpenRoom(room)
	btn := a.Header().ExportButton()
	q.until(t, "export button shown", func() bool { return btn.Visible() })
	if !btn.Disabled() || btn.Icon != lockIcon {
		t.Fatalf("export button: disabled %v, icon %v", btn.Disabled(), btn.Icon)
	}
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, a.w, "room_export_locked")
	}
	a.ShowExport(room)
	q.until(t, "refusal", func() bool { return dialogText(a, T("export.disabled")) })
	if chosen {
		t.Fatal("a folder was asked for although the policy forbids the export")
	}
}

// dialogText reports whether the top overlay of a's window shows a label or text with want.
func dialogText(a *App, want string) bool {
	top := dlgTop(a.w)
	if top == nil {
		return false
	}
	found := false
	dlgWalk(top, func(c fyne.CanvasObject) {
		switch v := c.(type) {
		case *widget.Label:
			found = found || strings.Contains(v.Text, want)
		case *widget.RichText:
			found = found || strings.Contains(v.String(), want)
		}
	})
	return found
}

func TestExportDirName(t *testing.T) {
	now := time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC)
	parent := t.TempDir()
	for room, want := range map[string]string{
		"Einsatz Brücke/Süd": "Einsatz-Brücke-Süd-20261203-1405",
		"THW OV Nord":        "Einsatz-THW-OV-Nord-20261203-1405",
		"../..":              "Einsatz-20261203-1405",
		"":                   "Einsatz-20261203-1405",
	} {
		if got := exportDirName(parent, room, now); got != filepath.Join(parent, want) {
			t.Errorf("%q: %q", room, got)
		}
	}
	os.Mkdir(filepath.Join(parent, "Einsatz-20261203-1405"), 0o700)
	if got := exportDirName(parent, "", now); got != filepath.Join(parent, "Einsatz-20261203-1405-2") {
		t.Errorf("taken: %q", got)
	}
}
