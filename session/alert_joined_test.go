package session_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// TestAlertBoardJoinedMembersCached: reading an alert's board again (as the GUI and the gateway do
// on every response) does not ask the server for the room's members each time; a join or a leave
// seen through sync makes the next board ask again, so "none" stays true.
func TestAlertBoardJoinedMembersCached(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	counter := newReqCounter()
	proxyURL := countingProxy(t, counter, "sender", srv.URL)
	leit, fw, third := newAccount(t, srv, "leitstelle"), newAccount(t, srv, "fw"), newAccount(t, srv, "third")
	sa, err := session.Login(ctx(t), leit.config(), proxyURL, leit.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sa.Close() })
	sb, sc := fw.login(t), third.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Alarm"})
	waitJoinedExactly(t, sa, roomID, 2)
	alertID := sendAlert(t, sa, roomID, alert.Alert{Keyword: "THL 1", Text: "Ölspur", Required: 1})

	boardNone := func() []id.UserID {
		t.Helper()
		b, err := sa.AlertBoard(ctx(t), roomID, alertID)
		if err != nil {
			t.Fatal(err)
		}
		return b.None
	}
	asked := func() int { return counter.Stats().Counts["sender/"+reqJoinedMembers] }
	counter.Reset()
	for range 5 {
		if none := boardNone(); !slices.Equal(none, []id.UserID{sb.Account().UserID}) {
			t.Fatalf("none: %v", none)
		}
	}
	if n := asked(); n != 1 {
		t.Fatalf("5 board reads asked /joined_members %d times, want once", n)
	}

	// A join seen through sync: the next board asks again and lists the new member.
	if err := sa.Invite(ctx(t), roomID, sc.Account().UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	waitJoinedExactly(t, sa, roomID, 3)
	want := []id.UserID{sb.Account().UserID, sc.Account().UserID}
	slices.Sort(want)
	for range 3 {
		if none := boardNone(); !slices.Equal(none, want) {
			t.Fatalf("none after the join: %v, want %v", none, want)
		}
	}
	if n := asked(); n != 2 {
		t.Fatalf("/joined_members asked %d times after a join, want 2", n)
	}

	// A leave seen through sync.
	if err := sb.Leave(ctx(t), roomID); err != nil {
		t.Fatal(err)
	}
	waitJoinedExactly(t, sa, roomID, 2)
	for range 3 {
		if none := boardNone(); !slices.Equal(none, []id.UserID{sc.Account().UserID}) {
			t.Fatalf("none after the leave: %v", none)
		}
	}
	if n := asked(); n != 3 {
		t.Fatalf("/joined_members asked %d times after a leave, want 3", n)
	}
}

// waitJoinedExactly syncs s until the room has n joined members.
func waitJoinedExactly(t *testing.T, s *session.Session, roomID id.RoomID, n int) {
	t.Helper()
	eventually.True(t, 30*time.Second, fmt.Sprintf("%s to see %d members in %s", s.Account().UserID, n, roomID), func() bool {
		mustSync(t, s)
		r, err := s.Room(ctx(t), roomID)
		return err == nil && r.JoinedCount == n
	})
}
