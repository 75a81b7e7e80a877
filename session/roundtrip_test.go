package session_test

import (
	"errors"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

func TestMessagesRoundTrip(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Einsatz 42", Topic: "Hochwasser"})

	mustSend(t, sa, roomID, "Lage an der Ahr")
	mustSend(t, sb, roomID, "komme")
	hist := waitForBodies(t, sb, roomID, 50, "Lage an der Ahr", "komme")
	if countBody(hist, "Lage an der Ahr") != 1 || countBody(hist, "komme") != 1 {
		t.Fatalf("each message must be in the history once: %+v", hist)
	}
	if hist[len(hist)-1].Body != "komme" {
		t.Errorf("newest event should be last, got %q", hist[len(hist)-1].Body)
	}
	rooms, err := sb.Rooms(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 1 || rooms[0].Name != "Einsatz 42" || rooms[0].Topic != "Hochwasser" || rooms[0].JoinedCount != 2 {
		t.Fatalf("room list: %+v", rooms)
	}
	members, err := sb.Members(ctx(t), roomID)
	if err != nil || len(members) < 2 {
		t.Fatalf("members: %v %+v", err, members)
	}

	// A second process on the same data dir gets a clear error.
	if _, err := session.Open(ctx(t), bob.config()); !errors.Is(err, session.ErrDataDirInUse) {
		t.Fatalf("second open: want ErrDataDirInUse, got %v", err)
	}
}
