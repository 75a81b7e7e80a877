package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

func TestParseUserIDs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []id.UserID
		bad  string
	}{
		{"", nil, ""},
		{"@a:example.org", []id.UserID{"@a:example.org"}, ""},
		{" @a:example.org,@b:127.0.0.1:8448 ; @a:example.org\n@c:[::1]:8008", []id.UserID{"@a:example.org", "@b:127.0.0.1:8448", "@c:[::1]:8008"}, ""},
		{"@a:example.org, leitstelle", nil, "leitstelle"},
		{"@a:example.org @b:", nil, "@b:"},
		{"a:example.org", nil, "a:example.org"},
		{"@:example.org", nil, "@:example.org"},
		{"#raum:example.org", nil, "#raum:example.org"},
		{"@a:exa mple.org", nil, "mple.org"},
	} {
		got, bad := parseUserIDs(tc.in)
		if bad != tc.bad || !slices.Equal(got, tc.want) {
			t.Errorf("parseUserIDs(%q) = %q, bad %q; want %q, bad %q", tc.in, got, bad, tc.want, tc.bad)
		}
	}
}

// The create-room form refuses an empty name and a malformed Matrix ID with a clear message and
// does not call the session (it is nil here: a call would panic).
func TestCreateRoomFormValidation(t *testing.T) {
	test.NewTempApp(t)
	useTestUIQueue(t)
	SetLang("de")
	w := dlgWindow(t)
	created := 0
	f := newCreateRoomForm(context.Background(), w, nil, func(id.RoomID) { created++ })
	f.dlg.Show()
	if !f.encrypted.Checked {
		t.Fatal("encryption is not on by default")
	}
	test.Tap(dlgButton(t, dlgTop(w), "Erstellen"))
	if !f.errLabel.Visible() || f.errLabel.Text != "Bitte einen Namen für den Raum eingeben." {
		t.Fatalf("empty name: error %q (visible %v)", f.errLabel.Text, f.errLabel.Visible())
	}
	test.Type(f.name, "   ")
	test.Tap(f.createBtn)
	if f.errLabel.Text != T("dlg.err.name_required") {
		t.Fatalf("blank name: %q", f.errLabel.Text)
	}
	f.name.SetText("Einsatz Nord")
	f.invite.SetText("@leitstelle:bos.example, feuerwehr-nord")
	test.Tap(f.createBtn)
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, w, "create_room")
	}
	want := "„feuerwehr-nord“ ist keine gültige Matrix-ID. Erwartet wird @name:server, z. B. @leitstelle:bos.example."
	if f.errLabel.Text != want || !dlgHasLabel(dlgTop(w), want) {
		t.Fatalf("bad ID: error %q; dialog labels %q", f.errLabel.Text, dlgLabels(dlgTop(w)))
	}
	opts, problem := func() (session.CreateRoomOptions, string) {
		f.invite.SetText("@leitstelle:bos.example @thw:bos.example")
		f.encrypted.SetChecked(false)
		return f.validate()
	}()
	if problem != "" || opts.Name != "Einsatz Nord" || opts.Encrypted || len(opts.Invite) != 2 {
		t.Fatalf("valid form: %+v %q", opts, problem)
	}
	if created != 0 {
		t.Fatal("onCreated called for an invalid form")
	}

	d := newDMForm(context.Background(), w, nil, nil)
	d.dlg.Show()
	test.Tap(d.startBtn)
	if d.errLabel.Text != T("dlg.err.mxid_required") {
		t.Fatalf("DM without ID: %q", d.errLabel.Text)
	}
	test.Type(d.user, "leitstelle@bos.example")
	test.Tap(d.startBtn)
	if d.errLabel.Text != T("dlg.err.bad_mxid", "leitstelle@bos.example") {
		t.Fatalf("DM with bad ID: %q", d.errLabel.Text)
	}
}

func TestFailureText(t *testing.T) {
	SetLang("de")
	for err, want := range map[error]string{
		fmt.Errorf("%w: invite: no", session.ErrPolicyDenied):                 "dlg.err.policy",
		fmt.Errorf("x: %w", session.ErrSessionTerminated):                     "dlg.err.session_terminated",
		fmt.Errorf("failed to create room: %w", session.ErrForbidden):         "dlg.err.forbidden",
		fmt.Errorf("failed to join: %w", session.ErrNotFound):                 "dlg.err.not_found",
		fmt.Errorf("failed to create room: %w", mautrix.MForbidden):           "dlg.err.generic", // unclassified: session's job
		fmt.Errorf("wrap: %w", context.DeadlineExceeded):                      "dlg.err.timeout",
		errors.New("something odd"):                                           "dlg.err.generic",
		fmt.Errorf("failed to invite: %w", session.ErrRateLimited):            "dlg.err.rate_limited",
		fmt.Errorf("failed to delete device X: %w", session.ErrWrongPassword): "dlg.err.wrong_password",
		fmt.Errorf("%w: X", session.ErrCurrentDevice):                         "dlg.err.current_device",
	} {
		if got := failureText(err); got != T(want) {
			t.Errorf("%v: %q, want %q", err, got, T(want))
		}
	}
}

// A room created through the dialog against Dendrite is encrypted, named, has the invitee, and
// reaches onCreated on the UI goroutine; a DM through its dialog is encrypted and direct.
func TestCreateRoomAndDMThroughDendrite(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	leit := newFlowUser(t, srv, "leitstelle")
	thw := newFlowUser(t, srv, "thw")
	s := leit.login(t)
	w := dlgWindow(t)

	var created id.RoomID
	f := newCreateRoomForm(testCtx(t), w, s, func(r id.RoomID) { created = r })
	f.dlg.Show()
	test.Type(f.name, "Einsatz Hauptstraße 12")
	test.Type(f.topic, "Brand Lagerhalle")
	f.invite.SetText(thw.ID)
	test.Tap(f.createBtn)
	if !f.progress.Visible() || !f.createBtn.Disabled() {
		t.Fatal("no progress shown while creating")
	}
	q.until(t, "room created", func() bool { return created != "" })
	if f.errLabel.Visible() {
		t.Fatalf("error shown: %q", f.errLabel.Text)
	}
	if dlgTop(w) != nil {
		t.Fatal("dialog still open after creating")
	}
	sum, err := s.Room(testCtx(t), created)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Encrypted || sum.Name != "Einsatz Hauptstraße 12" || sum.Topic != "Brand Lagerhalle" || sum.Membership != "join" {
		t.Fatalf("created room: %+v", sum)
	}
	syncUntil(t, s, "the invite in the new room", func() bool {
		members, err := s.Members(testCtx(t), created)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if m.UserID.String() == thw.ID && m.Membership == "invite" {
				return true
			}
		}
		return false
	})

	var dm id.RoomID
	d := newDMForm(testCtx(t), w, s, func(r id.RoomID) { dm = r })
	d.dlg.Show()
	test.Type(d.user, thw.ID)
	test.Tap(d.startBtn)
	q.until(t, "DM created", func() bool { return dm != "" })
	sum, err = s.Room(testCtx(t), dm)
	if err != nil || !sum.Encrypted || !sum.IsDirect {
		t.Fatalf("DM: %+v %v", sum, err)
	}

	// Invite and leave through their dialogs.
	third := newFlowUser(t, srv, "feuerwehr")
	inv := newInviteForm(testCtx(t), w, s, created)
	invDone := false
	inv.onDone = func() { invDone = true }
	inv.dlg.Show()
	inv.users.SetText(third.ID + ", " + leit.ID) // we are in the room already: that invite fails
	test.Tap(inv.okBtn)
	q.until(t, "invites sent", func() bool { return invDone })
	if !inv.errLabel.Visible() || inv.users.Text != leit.ID || dlgTop(w) == nil {
		t.Fatalf("failed invite not reported: %q, entry %q", inv.errLabel.Text, inv.users.Text)
	}
	t.Logf("failed invite: %s", inv.errLabel.Text)
	inv.dlg.Hide()
	left := false
	ShowLeave(testCtx(t), w, s, created, func() { left = true })
	q.until(t, "leave question", func() bool { return dlgTop(w) != nil })
	if want := T("dlg.leave.question", "Einsatz Hauptstraße 12"); !dlgHasLabel(dlgTop(w), want) {
		t.Fatalf("leave question: %q", dlgLabels(dlgTop(w)))
	}
	test.Tap(dlgButton(t, dlgTop(w), "Verlassen"))
	q.until(t, "left", func() bool { return left })
	if sum, err := s.Room(testCtx(t), created); err == nil && sum.Membership == "join" {
		t.Fatalf("still joined: %+v", sum)
	}

	// THW accepts the DM's invite and rejects the room's.
	st := thw.login(t)
	syncUntil(t, st, "both invites", func() bool {
		a, errA := st.Room(testCtx(t), dm)
		b, errB := st.Room(testCtx(t), created)
		return errA == nil && errB == nil && a.Membership == "invite" && b.Membership == "invite"
	})
	var joined id.RoomID
	AcceptInvite(testCtx(t), w, st, dm, func(r id.RoomID) { joined = r })
	if dlgTop(w) == nil {
		t.Fatal("no progress while joining")
	}
	q.until(t, "joined", func() bool { return joined != "" })
	if sum, err := st.Room(testCtx(t), dm); joined != dm || err != nil || sum.Membership != "join" {
		t.Fatalf("after accepting: %s %+v %v", joined, sum, err)
	}
	rejected := false
	RejectInvite(testCtx(t), w, st, created, func() { rejected = true })
	q.until(t, "rejected", func() bool { return rejected })
	if sum, err := st.Room(testCtx(t), created); err == nil && sum.Membership == "invite" {
		t.Fatalf("invite still open: %+v", sum)
	}
	if dlgTop(w) != nil {
		t.Fatalf("a dialog is left open: %q", dlgLabels(dlgTop(w)))
	}
}
