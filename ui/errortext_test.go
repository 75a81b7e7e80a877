package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/faultproxy"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Real Dendrite answers reach the dialogs as the session's sentinel errors, and each gets its own
// German sentence: forbidden, rate limited, not found, signed out.
func TestDialogErrorTextsFromDendrite(t *testing.T) {
	srv := testserver.Shared(t)
	proxy := faultproxy.New(t, srv.URL)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	leit, thw, drk := newFlowUser(t, srv, "leitstelle"), newFlowUser(t, srv, "thw"), newFlowUser(t, srv, "drk")
	s, err := session.Login(testCtx(t), leit.config(t), proxy.URL, leit.Local, flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	st := thw.login(t)
	w := dlgWindow(t)
	roomID, err := s.CreateRoom(testCtx(t), session.CreateRoomOptions{Name: "Lage"})
	if err != nil {
		t.Fatal(err)
	}

	invite := func(s *session.Session, user, wantKey string) {
		t.Helper()
		f := newInviteForm(testCtx(t), w, s, roomID)
		done := false
		f.onDone = func() { done = true }
		f.dlg.Show()
		f.users.SetText(user)
		test.Tap(f.okBtn)
		q.until(t, "invite answered", func() bool { return done })
		if want := T("dlg.invite.failed_one", user, T(wantKey)); f.errLabel.Text != want {
			t.Errorf("invite %s: %q, want %q", wantKey, f.errLabel.Text, want)
		}
		f.dlg.Hide()
	}
	invite(st, drk.ID, "dlg.err.forbidden") // THW is not in the room
	proxy.Inject("/invite", faultproxy.Status429, -1)
	invite(s, drk.ID, "dlg.err.rate_limited")
	proxy.Clear()

	AcceptInvite(testCtx(t), w, s, id.RoomID("!gibtesnicht:"+srv.ServerName), nil)
	q.until(t, "join failure shown", func() bool { return dlgHasLabel(dlgTop(w), T("dlg.err.not_found")) })

	// Another session of the same account deletes this device: its token is revoked.
	other := &flowUser{Local: leit.Local, ID: leit.ID, Dir: t.TempDir(), srv: srv}
	if err := other.login(t).DeleteDevice(testCtx(t), s.Account().DeviceID, flowPassword); err != nil {
		t.Fatal(err)
	}
	invite(s, drk.ID, "dlg.err.session_terminated")
}
