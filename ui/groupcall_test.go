package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/livekittest"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/callmedia"
	"bosmessenger/session/rtc"
)

// The header's group call button shows in joined rooms that are no direct chat, not under
// disable_calls; an ongoing call shows "Gruppenanruf läuft (N)" with Beitreten, and the button
// goes while this device is in the call. The state belongs to its room.
func TestHeaderGroupCall(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	h := NewHeader()
	room := &session.RoomSummary{ID: "!a:x", Membership: "join", JoinedCount: 5}
	h.Set(room)
	if b := h.GroupCallButton(); b.Hidden || b.Text != "Gruppenanruf" || h.GroupCallLabel() != "" {
		t.Fatalf("no call: button %q hidden %v, label %q", b.Text, b.Hidden, h.GroupCallLabel())
	}
	h.SetGroupCall("!other:x", 2, false)
	if h.GroupCallLabel() != "" {
		t.Fatalf("another room's call shows: %q", h.GroupCallLabel())
	}
	h.SetGroupCall(room.ID, 3, false)
	h.Set(room) // a refresh of the same room keeps it
	if b := h.GroupCallButton(); b.Hidden || b.Text != "Beitreten" || h.GroupCallLabel() != "Gruppenanruf läuft (3)" {
		t.Fatalf("ongoing: button %q hidden %v, label %q", b.Text, b.Hidden, h.GroupCallLabel())
	}
	h.SetGroupCall(room.ID, 3, true)
	if !h.GroupCallButton().Hidden || h.GroupCallLabel() != "Gruppenanruf läuft (3)" {
		t.Fatalf("in the call: button hidden %v, label %q", h.GroupCallButton().Hidden, h.GroupCallLabel())
	}
	h.Set(&session.RoomSummary{ID: "!b:x", Membership: "join", JoinedCount: 4})
	if h.GroupCallButton().Hidden || h.GroupCallLabel() != "" {
		t.Fatalf("other room: button hidden %v, label %q", h.GroupCallButton().Hidden, h.GroupCallLabel())
	}
	for _, r := range []*session.RoomSummary{nil, {ID: "!c:x", Membership: "join", JoinedCount: 2, IsDirect: true},
		{ID: "!d:x", Membership: "invite", JoinedCount: 4}} {
		h.Set(r)
		if !h.GroupCallButton().Hidden {
			t.Errorf("room %+v: group call button shown", r)
		}
	}
	h.SetCallsDisabled(true)
	h.Set(room)
	if !h.GroupCallButton().Hidden {
		t.Error("disable_calls: group call button shown")
	}
}

// TestFlowGroupCall: the desktop app in a MatrixRTC group call against the real engine
// (Dendrite, livekit-server and the test JWT service inside a network namespace). Bob starts
// a call: Alice's header shows "Gruppenanruf läuft (1)" with Beitreten; she joins, the bar
// names Bob and then Carol, counts the duration; Stumm toggles; Verlassen ends her membership
// and the header offers Beitreten again.
func TestFlowGroupCall(t *testing.T) {
	testserver.BinDir(t)
	ctx0, cancel0 := context.WithTimeout(context.Background(), 10*time.Minute)
	_, err := livekittest.Binary(ctx0)
	cancel0()
	if err != nil {
		t.Fatalf("livekit-server: %v", err)
	}
	if !netns.Enter(t) {
		return
	}
	livekittest.AddClientInterface(t)
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	oldAudio, oldWK := newCallAudio, groupCallWellKnown
	newCallAudio = callmedia.OpenNullAudio
	t.Cleanup(func() { newCallAudio, groupCallWellKnown = oldAudio, oldWK })
	srv := testserver.Start(t, testserver.Options{Federation: true})
	focus := livekittest.Start(t, livekittest.Options{Homeservers: map[string]string{srv.ServerName: srv.FederationURL}})
	groupCallWellKnown = focus.WellKnownURL

	alice, bob, carol := newFlowUser(t, srv, "alice"), newFlowUser(t, srv, "bob"), newFlowUser(t, srv, "carol")
	bs, cs := bob.login(t), carol.login(t)
	ctx := testCtx(t)
	pl := &event.PowerLevelsEventContent{Users: map[id.UserID]int{id.UserID(bob.ID): 100},
		Events: map[string]int{rtc.MemberEventType.Type: 0}}
	room, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Einsatzabschnitt", PowerLevels: pl,
		Invite: []id.UserID{id.UserID(alice.ID), id.UserID(carol.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	for _, s := range []*session.Session{as, cs} {
		if _, err := s.Join(ctx, string(room)); err != nil {
			t.Fatal(err)
		}
	}
	as.Close()
	_, a := openShell(t, q, alice, ShellConfig{Room: room, SyncTimeout: time.Second})
	h := a.Header()
	q.until(t, "group call button", func() bool {
		return a.Current() == room && !h.GroupCallButton().Hidden && h.GroupCallButton().Text == "Gruppenanruf"
	})

	opts := func(hz float64) session.GroupCallOptions {
		return session.GroupCallOptions{Source: callmedia.NewTone(hz), WellKnownURL: focus.WellKnownURL}
	}
	if _, err := bs.JoinGroupCall(ctx, room, opts(440)); err != nil {
		t.Fatal(err)
	}
	q.until(t, "header shows bob's call", func() bool {
		return h.GroupCallLabel() == "Gruppenanruf läuft (1)" && h.GroupCallButton().Text == "Beitreten"
	})
	test.Tap(h.GroupCallButton())
	bar := a.GroupCallBar()
	q.until(t, "in the call with bob", func() bool {
		return bar.Visible() && strings.Contains(bar.Participants(), bob.Local) && h.GroupCallButton().Hidden
	})
	if _, err := cs.JoinGroupCall(ctx, room, opts(660)); err != nil {
		t.Fatal(err)
	}
	var first string
	q.until(t, "carol in the bar, three in the header", func() bool {
		first = bar.Status()
		return strings.Contains(bar.Participants(), carol.Local) && h.GroupCallLabel() == "Gruppenanruf läuft (3)" &&
			strings.HasPrefix(first, "Gruppenanruf · 0:")
	})
	q.until(t, "duration ticks", func() bool { return bar.Status() != first })
	test.Tap(bar.MuteButton())
	if bar.MuteButton().Text != "Ton an" {
		t.Fatalf("mute button %q", bar.MuteButton().Text)
	}
	test.Tap(bar.LeaveButton())
	q.until(t, "bar gone, Beitreten again", func() bool {
		return !bar.Visible() && !h.GroupCallButton().Hidden && h.GroupCallButton().Text == "Beitreten" &&
			h.GroupCallLabel() == "Gruppenanruf läuft (2)"
	})
	members, err := bs.GroupCallMembers(ctx, room)
	if err != nil || len(members) != 2 {
		t.Fatalf("after alice left: %d memberships (%v), want 2", len(members), err)
	}
	for _, m := range members {
		if string(m.UserID) == alice.ID {
			t.Fatal(fmt.Errorf("alice's membership is still there: %+v", m))
		}
	}
}
