package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/policy"
)

// threadRow is the timeline row showing eventID, nil when none does.
func threadRow(tl *Timeline, eventID id.EventID) *messageRow {
	for _, r := range tl.rows {
		if r.msg.EventID == eventID {
			return r
		}
	}
	return nil
}

// bobInRoom logs alice in (closed again, for the shell) and bob, who creates an encrypted room
// with her.
func bobInRoom(t *testing.T, srv *testserver.Server, alice *flowUser, scfg session.Config) (*session.Session, id.RoomID) {
	t.Helper()
	as, err := session.Login(testCtx(t), scfg, srv.URL, alice.Local, flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	bob := newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	room, err := bs.CreateRoom(testCtx(t), session.CreateRoomOptions{Name: "Abschnitt Süd", Encrypted: true, Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as.Join(testCtx(t), room.String()); err != nil {
		t.Fatal(err)
	}
	as.Close()
	syncUntil(t, bs, "alice joined", func() bool {
		r, err := bs.Room(testCtx(t), room)
		return err == nil && r.JoinedCount == 2
	})
	return bs, room
}

func sent(t *testing.T, s *session.Session, txn string, err error) id.EventID {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.WaitSent(testCtx(t), txn)
	if err != nil {
		t.Fatal(err)
	}
	syncUntil(t, s, "own echo", func() bool { _, ok, _ := s.Event(testCtx(t), ev); return ok })
	return ev
}

// The timeline shows a thread as a summary under its root (not the replies); tapping it opens the
// side panel with root and replies, a reply typed there goes into the thread, and reading it
// sends a receipt that bob sees at his reply.
func TestThreadSummaryAndPanel(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	alice := newFlowUser(t, srv, "alice")
	bs, room := bobInRoom(t, srv, alice, alice.config(t))
	ctx := testCtx(t)
	txn, err := bs.Send(ctx, room, session.Draft{Text: "Wer übernimmt Abschnitt Süd?"})
	root := sent(t, bs, txn, err)
	txn, err = bs.Send(ctx, room, session.Draft{Text: "Zug 2 ist frei", Thread: root})
	reply := sent(t, bs, txn, err)

	_, a := openShell(t, q, alice, ShellConfig{})
	a.OpenRoom(room)
	var row *messageRow
	q.until(t, "thread summary under the root", func() bool {
		row = threadRow(a.Timeline(), root)
		return row != nil && row.thread.Visible()
	})
	if want := "● 💬 1 Antwort · "; !strings.HasPrefix(row.thread.Text, want) || !strings.HasSuffix(row.thread.Text, ": Zug 2 ist frei") {
		t.Fatalf("summary %q", row.thread.Text)
	}
	for _, m := range a.Timeline().Messages() {
		if m.EventID == reply {
			t.Fatal("the thread reply shows in the main timeline")
		}
	}
	if a.Thread().View().Visible() {
		t.Fatal("thread panel open before it was asked for")
	}
	test.Tap(row.thread)
	p := a.Thread()
	q.until(t, "thread panel with root and reply", func() bool {
		msgs := p.Timeline.Messages()
		return p.View().Visible() && len(msgs) == 2 && msgs[0].EventID == root && msgs[1].EventID == reply
	})
	if !strings.Contains(p.title.Text, "Wer übernimmt Abschnitt Süd?") {
		t.Fatalf("panel title %q", p.title.Text)
	}
	// Reading the thread sends a thread receipt (thread_id): the summary is no longer unread.
	// (Dendrite keeps one m.read per user, so bob's view of it is not checked here; the request
	// is checked in session's TestThreadsOnDendrite.)
	q.until(t, "summary read", func() bool {
		r := threadRow(a.Timeline(), root)
		return r != nil && strings.HasPrefix(r.thread.Text, "💬 1 Antwort · ")
	})
	test.Type(p.Entry, "Verstanden")
	p.Submit()
	var mine id.EventID
	syncUntil(t, bs, "alice's reply in bob's thread", func() bool {
		msgs, _ := bs.ThreadTimeline(ctx, room, root, 10)
		if len(msgs) == 3 && msgs[2].Body == "Verstanden" && msgs[2].Sender == id.UserID(alice.ID) {
			mine = msgs[2].EventID
			return true
		}
		return false
	})
	ev, _, err := bs.Event(ctx, mine)
	if err != nil || ev.ThreadRoot != root || !ev.Encrypted {
		t.Fatalf("alice's reply at bob: %+v %v", ev, err)
	}
	q.until(t, "summary counts two", func() bool {
		r := threadRow(a.Timeline(), root)
		return r != nil && strings.HasPrefix(r.thread.Text, "💬 2 Antworten · ")
	})
	q.until(t, "own reply in the panel", func() bool { return len(p.Timeline.Messages()) == 3 })

	// The message action opens the thread of a message too.
	p.Close()
	if p.View().Visible() || p.Root() != "" {
		t.Fatal("panel still open after close")
	}
	a.selectMessage(threadRow(a.Timeline(), root).msg)
	btn := a.actBtns["action.thread"]
	if !btn.Visible() {
		t.Fatal("no thread action on a message")
	}
	test.Tap(btn)
	q.until(t, "panel open again", func() bool { return p.Root() == root && len(p.Timeline.Messages()) == 3 })
}

// A location sent from the dialog (a pasted map link) shows in the timeline with coordinates,
// description and a map link; with disable_location the action shows a lock and opens nothing.
func TestLocationDialogAndLock(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	alice := newFlowUser(t, srv, "alice")
	_, room := bobInRoom(t, srv, alice, alice.config(t))
	_, a := openShell(t, q, alice, ShellConfig{})
	a.OpenRoom(room)
	q.until(t, "room open", func() bool { return !a.Composer().Entry.Disabled() })
	if a.LocationButton().Locked() || a.LocationButton().Disabled() {
		t.Fatal("location action locked without a policy")
	}
	test.Tap(a.LocationButton().Button)
	d := dlgTop(a.w)
	if d == nil || !dlgHasLabel(d, T("location.intro")) {
		t.Fatal("no location dialog")
	}
	entries := dlgEntries(d)
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	test.Type(entries[0], "https://www.openstreetmap.org/?mlat=50.9375&mlon=6.9603#map=16/50.9375/6.9603")
	test.Type(entries[1], "Dom, Haupteingang")
	if !dlgHasLabel(d, T("location.preview", "geo:50.9375,6.9603")) {
		t.Fatalf("no preview: %q", dlgLabels(d))
	}
	test.Tap(dlgButton(t, d, T("location.send")))
	var row *messageRow
	q.until(t, "location in the timeline", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Kind == session.KindLocation && m.EventID != "" {
				row = threadRow(a.Timeline(), m.EventID)
				return row != nil
			}
		}
		return false
	})
	var text, link string
	for _, seg := range row.body.Segments {
		switch s := seg.(type) {
		case *widget.TextSegment:
			text += s.Text
		case *widget.HyperlinkSegment:
			link = s.Text + " " + s.URL.String()
		}
	}
	if !strings.Contains(text, "📍 Standort: Dom, Haupteingang – 50.9375, 6.9603") ||
		link != "In Karte öffnen https://www.openstreetmap.org/?mlat=50.9375&mlon=6.9603#map=16/50.9375/6.9603" {
		t.Fatalf("location row: %q %q", text, link)
	}
}

func TestLocationLockedByPolicy(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	alice := newFlowUser(t, srv, "alice")
	p, err := policy.Resolve(policy.Source{Name: "test policy", Managed: map[string]any{"disable_location": true}})
	if err != nil {
		t.Fatal(err)
	}
	scfg := session.ApplyPolicy(alice.config(t), p)
	_, room := bobInRoom(t, srv, alice, scfg)
	_, a := openShellWith(t, q, alice, scfg, ShellConfig{})
	a.OpenRoom(room)
	q.until(t, "room open", func() bool { return !a.Composer().Entry.Disabled() })
	b := a.LocationButton()
	if !b.Locked() || !b.Disabled() || !strings.Contains(b.Icon.Name(), "lock") {
		t.Fatalf("location action not locked: locked %v disabled %v icon %s", b.Locked(), b.Disabled(), b.Icon.Name())
	}
	a.showSendLocation()
	if dlgTop(a.w) != nil {
		t.Fatal("a location dialog opened under disable_location")
	}
}
