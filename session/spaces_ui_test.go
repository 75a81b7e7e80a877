package session_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

var spaceChild = event.Type{Type: "m.space.child", Class: event.StateEventType}

// roomUntil syncs s until the room's summary satisfies done (or fails the test after 20 s).
func roomUntil(t *testing.T, s *session.Session, roomID id.RoomID, what string, done func(session.RoomSummary) bool) session.RoomSummary {
	t.Helper()
	var sum session.RoomSummary
	eventually.NoError(t, 20*time.Second, func() error {
		var err error
		if sum, err = s.Room(ctx(t), roomID); err == nil && done(sum) {
			return nil
		}
		if _, err := s.SyncOnce(ctx(t), time.Second); err != nil {
			t.Fatalf("sync: %v", err)
		}
		return fmt.Errorf("room never %s: %+v %v", what, sum, err)
	})
	return sum
}

func TestSpacesRejectInviteMemberListUI(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob, carol, dave := newAccount(t, srv, "alice"), newAccount(t, srv, "bob"), newAccount(t, srv, "carol"), newAccount(t, srv, "dave")
	sa, sb, sc := alice.login(t), bob.login(t), carol.login(t)

	// A space with one child room (and a second one that is removed again).
	resp, err := sa.ClientForTest().CreateRoom(ctx(t), &mautrix.ReqCreateRoom{Name: "Einsatzabschnitt", Preset: "private_chat",
		CreationContent: map[string]any{"type": "m.space"}})
	if err != nil {
		t.Fatal(err)
	}
	space := resp.RoomID
	child, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Abschnitt Nord"})
	if err != nil {
		t.Fatal(err)
	}
	removed, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Abschnitt Süd"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []id.RoomID{child, removed} {
		if _, err := sa.ClientForTest().SendStateEvent(ctx(t), space, spaceChild, r.String(), map[string]any{"via": []string{srv.ServerName}}); err != nil {
			t.Fatal(err)
		}
	}
	roomUntil(t, sa, removed, "listed in the space", func(s session.RoomSummary) bool { return len(s.Spaces) == 1 })
	if _, err := sa.ClientForTest().SendStateEvent(ctx(t), space, spaceChild, removed.String(), map[string]any{}); err != nil {
		t.Fatal(err)
	}
	roomUntil(t, sa, removed, "removed from the space", func(s session.RoomSummary) bool { return len(s.Spaces) == 0 })
	sum := roomUntil(t, sa, child, "in the space", func(s session.RoomSummary) bool { return len(s.Spaces) == 1 })
	if sum.IsSpace || !reflect.DeepEqual(sum.Spaces, []id.RoomID{space}) {
		t.Errorf("child room: %+v", sum)
	}
	spaces, err := sa.Spaces(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(spaces) != 1 || spaces[0].ID != space || !spaces[0].IsSpace || spaces[0].Name != "Einsatzabschnitt" || len(spaces[0].Spaces) != 0 {
		t.Errorf("spaces: %+v", spaces)
	}

	// Rejecting an invite takes the room off the list at once, and it stays off.
	invited, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Einladung", Invite: []id.UserID{sb.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	roomUntil(t, sb, invited, "an invite", func(s session.RoomSummary) bool { return s.Membership == "invite" })
	if err := sb.RejectInvite(ctx(t), invited); err != nil {
		t.Fatal(err)
	}
	listed := func() bool {
		rooms, err := sb.Rooms(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rooms {
			if r.ID == invited {
				return true
			}
		}
		return false
	}
	if listed() {
		t.Fatal("rejected invite still listed")
	}
	mustSync(t, sb)
	if listed() {
		t.Fatal("rejected invite listed again after a sync")
	}
	if err := sb.RejectInvite(ctx(t), invited); err == nil {
		t.Error("rejecting an invite twice must fail")
	}
	timelineUntil(t, sa, invited, "bob leaving", func(msgs []session.Message) bool {
		last := msgs[len(msgs)-1]
		return last.StateKind == session.StateLeft && last.Sender == sb.Account().UserID
	})

	// Member list: by power level, then by display name (falling back to the localpart).
	if err := sb.ClientForTest().SetDisplayName(ctx(t), "Zora"); err != nil {
		t.Fatal(err)
	}
	if err := sc.ClientForTest().SetDisplayName(ctx(t), "Zentrale"); err != nil {
		t.Fatal(err)
	}
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Stab"})
	if err := sa.Invite(ctx(t), roomID, id.UserID(carol.UserID)); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	if err := sa.Invite(ctx(t), roomID, id.UserID(dave.UserID)); err != nil {
		t.Fatal(err)
	}
	var pl map[string]any
	if err := sa.ClientForTest().StateEvent(ctx(t), roomID, event.StatePowerLevels, "", &pl); err != nil {
		t.Fatal(err)
	}
	pl["users"].(map[string]any)[carol.UserID] = 50
	if _, err := sa.ClientForTest().SendStateEvent(ctx(t), roomID, event.StatePowerLevels, "", pl); err != nil {
		t.Fatal(err)
	}
	want := []session.MemberInfo{
		{UserID: id.UserID(alice.UserID), DisplayName: alice.Local, Membership: "join", PowerLevel: 100},
		{UserID: id.UserID(carol.UserID), DisplayName: "Zentrale", Membership: "join", PowerLevel: 50},
		{UserID: id.UserID(dave.UserID), DisplayName: dave.Local, Membership: "invite", PowerLevel: 0},
		{UserID: id.UserID(bob.UserID), DisplayName: "Zora", Membership: "join", PowerLevel: 0},
	}
	eventually.NoError(t, 20*time.Second, func() error {
		mustSync(t, sa)
		got, err := sa.MemberList(ctx(t), roomID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("member list:\n got %+v\nwant %+v", got, want)
		}
		return nil
	})
}
