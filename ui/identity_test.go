package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestIdentityChangeWarning: a contact (matrix-js-sdk) resets their cross-signing identity; the app
// warns with a dialog, and acknowledging it re-pins the new identity (the contact is then unverified,
// no longer "identity changed").
func TestIdentityChangeWarning(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	alice := newFlowUser(t, srv, "alice")
	sa := alice.login(t)
	bobAcc := newFlowUser(t, srv, "bob")
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx, bobAcc.Local, flowPassword); err != nil {
		t.Fatal(err)
	}
	if err := js.BootstrapCrossSigning(ctx, flowPassword); err != nil {
		t.Fatal(err)
	}
	bob := id.UserID(js.UserID())
	room, err := sa.CreateRoom(ctx, session.CreateRoomOptions{Name: "Lage", Encrypted: true, Invite: []id.UserID{bob}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Join(ctx, room.String()); err != nil {
		t.Fatal(err)
	}
	if tr, err := sa.UserTrust(ctx, bob); err != nil || tr.State != session.UserUnverified {
		t.Fatalf("bob before: %+v %v", tr, err)
	}

	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	a := NewApp(ctx, w, sa)
	w.SetContent(a.View())
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	dlgRunSync(t, sa)

	if err := js.ResetCrossSigning(ctx, flowPassword); err != nil {
		t.Fatal(err)
	}
	q.until(t, "the warning", func() bool { return a.identityWarned[bob] && dlgTop(w) != nil })
	if want := T("identity.changed_text", bobAcc.Local, bob); !dlgHasLabel(dlgTop(w), want) {
		t.Fatalf("warning says %q, want %q", dlgLabels(dlgTop(w)), want)
	}
	if tr, _ := sa.UserTrust(ctx, bob); tr.State != session.UserIdentityChanged {
		t.Fatalf("bob after the reset: %s", tr.State)
	}
	test.Tap(dlgButton(t, dlgTop(w), T("identity.acknowledge")))
	q.until(t, "acknowledged", func() bool {
		tr, err := sa.UserTrust(ctx, bob)
		return err == nil && tr.State == session.UserUnverified && !a.identityWarned[bob]
	})
}
