package session_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// twoPhaseAccount logs bob in with a room of 20 messages and returns a second, fresh device of
// his (logged in, not synced yet) and the room.
func twoPhaseAccount(t *testing.T) (*account, *session.Session, string, []string) {
	t.Helper()
	srv := testserver.Start(t, testserver.Options{})
	bob := newAccount(t, srv, "twophase")
	first := bob.login(t)
	mustSync(t, first)
	roomID, err := first.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Lage Nord"})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for i := 1; i <= 20; i++ {
		bodies = append(bodies, fmt.Sprintf("Lagemeldung %02d", i))
		mustSend(t, first, roomID, bodies[i-1])
	}
	second := &account{UserID: bob.UserID, Local: bob.Local, Dir: t.TempDir(), srv: srv, log: bob.log}
	return second, second.login(t), roomID.String(), bodies
}

// The initial sync is phase 1: it stores only the newest few events of each room, yet the room
// list is complete (name, last message); BackfillInitial (phase 2) then fills the timeline, and
// clears the pending mark only when done.
func TestInitialSyncTwoPhases(t *testing.T) {
	_, s, roomID, bodies := twoPhaseAccount(t)
	st := mustSync(t, s)
	if !st.Initial {
		t.Fatalf("first sync not initial: %+v", st)
	}
	n, err := s.StoredTimelineLenForTest(ctx(t), roomID)
	if err != nil {
		t.Fatal(err)
	}
	if n > session.FirstSyncLimitForTest {
		t.Fatalf("phase 1 stored %d events of the room, want at most %d", n, session.FirstSyncLimitForTest)
	}
	rooms, err := s.Rooms(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 1 || rooms[0].Name != "Lage Nord" || rooms[0].LastMessage == nil || rooms[0].LastMessage.Body != bodies[19] {
		t.Fatalf("room list after phase 1: %+v", rooms)
	}
	if pending, err := s.BackfillPending(ctx(t)); err != nil || !pending {
		t.Fatalf("back-fill pending after phase 1: %v, %v", pending, err)
	}

	// An interrupted back-fill leaves the mark, and the next call completes it.
	cancelled, cancel := context.WithCancel(ctx(t))
	cancel()
	if _, err := s.BackfillInitial(cancelled); err == nil {
		t.Fatal("BackfillInitial with a cancelled context did not fail")
	}
	if pending, _ := s.BackfillPending(ctx(t)); !pending {
		t.Fatal("an interrupted back-fill cleared the pending mark")
	}
	added, err := s.BackfillInitial(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := s.StoredTimelineLenForTest(ctx(t), roomID)
	if added == 0 || after != n+added || after < 20 {
		t.Fatalf("back-fill added %d events (stored %d before, %d after), want the room's whole history", added, n, after)
	}
	if pending, _ := s.BackfillPending(ctx(t)); pending {
		t.Fatal("back-fill still pending after it finished")
	}
	if again, err := s.BackfillInitial(ctx(t)); err != nil || again != 0 {
		t.Fatalf("a second BackfillInitial added %d events (%v), want none", again, err)
	}
	hist, err := s.History(ctx(t), id.RoomID(roomID), 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		if countBody(hist, b) != 1 {
			t.Fatalf("history after the back-fill lacks %q or has it twice", b)
		}
	}
}

// Run back-fills by itself after its first sync (phase 2 in the background).
func TestRunBackfillsAfterInitialSync(t *testing.T) {
	_, s, roomID, _ := twoPhaseAccount(t)
	runCtx, stop := context.WithCancel(ctx(t))
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx, time.Second, nil) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		n, err := s.StoredTimelineLenForTest(ctx(t), roomID)
		pending, perr := s.BackfillPending(ctx(t))
		if err == nil && perr == nil && n >= 20 && !pending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Run did not back-fill: %d events stored, pending %v (%v, %v)", n, pending, err, perr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	<-done
}
