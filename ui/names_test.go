package ui

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// setDisplayNameRaw sets a user's display name with the client-server API (an extra device that
// logs out again): the engine has no API for it, and a spoofer would use any client.
func setDisplayNameRaw(t *testing.T, u *flowUser, name string) {
	t.Helper()
	cli, err := mautrix.NewClient(u.srv.URL, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if _, err := cli.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, Password: flowPassword, StoreCredentials: true,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: u.Local}}); err != nil {
		t.Fatal(err)
	}
	if err := cli.SetDisplayName(ctx, name); err != nil {
		t.Fatalf("set display name %q: %v", name, err)
	}
	_, _ = cli.Logout(ctx)
}

// TestSpoofedNamesInTimelineAndMembers: in a real room, a second "Leitstelle", a Cyrillic
// look-alike and a name with a bidi override. The timeline and the members dialog show the
// look-alikes with their Matrix IDs and the override stripped, and the organisation badge that BOS
// mode's lookup provides.
func TestSpoofedNamesInTimelineAndMembers(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	leit, fake, cyr, rlo := newFlowUser(t, srv, "leit"), newFlowUser(t, srv, "fake"), newFlowUser(t, srv, "cyr"), newFlowUser(t, srv, "rlo")
	sl := leit.login(t)
	room, err := sl.CreateRoom(ctx, session.CreateRoomOptions{Name: "Lage", Invite: []id.UserID{id.UserID(fake.ID), id.UserID(cyr.ID), id.UserID(rlo.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[*flowUser]string{leit: "Leitstelle", fake: "Leitstelle", cyr: "L\u0435itstelle", rlo: "Wache\u202e Nord"}
	for _, u := range []*flowUser{leit, fake, cyr, rlo} {
		s := sl
		if u != leit {
			s = u.login(t)
			if _, err := s.Join(ctx, room.String()); err != nil {
				t.Fatal(err)
			}
		}
		setDisplayNameRaw(t, u, names[u])
		txn, err := s.Send(ctx, room, session.Draft{Text: "Meldung von " + u.Local, Plain: true})
		if err == nil {
			_, err = s.WaitSent(ctx, txn)
		}
		if err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	server := id.UserID(leit.ID).Homeserver()
	sl.SetOrgLookup(func(name string) (string, bool, bool) { return "ILS Nord", true, name == server })

	want := []string{"Leitstelle (" + leit.ID + ")", "Leitstelle (" + fake.ID + ")", "L\u0435itstelle (" + cyr.ID + ")", "Wache Nord"}
	check := func(what string, shown []string) {
		t.Helper()
		all := strings.Join(shown, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, all)
			}
		}
		if strings.ContainsRune(all, '\u202e') {
			t.Errorf("%s shows the bidi override:\n%s", what, all)
		}
		if !strings.Contains(all, "✓ ILS Nord") {
			t.Errorf("%s lacks the organisation badge:\n%s", what, all)
		}
	}

	// The timeline: each message's sender line.
	var msgs []session.Message
	syncUntil(t, sl, "the messages with the final names", func() bool {
		msgs, err = sl.Timeline(ctx, room, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range msgs {
			if strings.HasPrefix(m.Body, "Meldung von ") && m.SenderName != m.Sender.Localpart() {
				n++
			}
		}
		return n == 4
	})
	tl := NewTimeline(id.UserID(leit.ID))
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(900, 4000))
	tl.Set(msgs, true)
	q.drain()
	check("timeline", labels(w.Content()))
	badges := 0
	for _, r := range tl.rows {
		if r.org.Visible() && r.head.Visible() {
			badges++
			if end := r.sender.Position().X + r.sender.Size().Width; r.org.Position().X < end {
				t.Errorf("badge at x=%v overlaps the sender name ending at x=%v", r.org.Position().X, end)
			}
		}
	}
	if badges == 0 {
		t.Error("no timeline row shows the badge")
	}

	// The members dialog.
	dw := dlgWindow(t)
	mv := newMembersView(ctx, dw, sl, room)
	mv.trust = func(context.Context, id.UserID) (string, error) { return trustUnknown, nil }
	loads := 0
	mv.onLoaded = func() { loads++ }
	mv.dlg.Show()
	mv.reload()
	q.until(t, "members", func() bool { return loads >= 2 })
	check("members", dlgLabels(dlgTop(dw)))
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, dw, "members-spoofed")
		w.Resize(fyne.NewSize(900, 700))
		shot(t, w, "timeline-spoofed")
	}
}

// Room names are remote text too: the room list, the header and the notifications show them
// without bidi overrides and control characters.
func TestRoomNamesCleaned(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	evil := "Lage\u202e\x1b]0;x\a Nord"
	rl := NewRoomList([]session.RoomSummary{{ID: "!a:x", Name: evil, Membership: "join"},
		{ID: "!b:x", Name: evil + " DM", Membership: "join", IsDirect: true}})
	h := NewHeader()
	h.Set(&session.RoomSummary{ID: "!a:x", Name: evil, Membership: "join"})
	w := test.NewTempWindow(t, container.NewVBox(h.View(), rl.View()))
	w.Resize(fyne.NewSize(600, 400))
	all := labels(w.Content())
	for _, want := range []string{"Lage]0;x Nord", "👤 Lage]0;x Nord DM"} {
		if !slices.Contains(all, want) {
			t.Errorf("label %q missing; have %q", want, all)
		}
	}
	for _, l := range all {
		if strings.ContainsAny(l, "\u202e\x1b\a") {
			t.Errorf("raw room name shown: %q", l)
		}
	}
}
