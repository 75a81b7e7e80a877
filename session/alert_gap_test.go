package session_test

import (
	"fmt"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// TestAlertBoardAfterTimelineGap: the dispatcher's client is away while a response and more than a
// sync's timeline limit of other messages arrive (a dropped connection during a callout of 200).
// The next sync has a gap; the response inside it still reaches the board, decrypted.
func TestAlertBoardAfterTimelineGap(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	leit, fw := newAccount(t, srv, "leitstelle"), newAccount(t, srv, "fw")
	sa, sb := leit.login(t), fw.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Alarm", Encrypted: true})
	waitJoinedExactly(t, sa, roomID, 2)
	mustSync(t, sb)
	alertID := sendAlert(t, sa, roomID, alert.Alert{Keyword: "B2", Text: "Kaminbrand", Required: 1})
	eventually.True(t, 30*time.Second, "the alert back through sync (not just in the queue)", func() bool {
		mustSync(t, sa)
		_, ok, err := sa.AlertInfo(ctx(t), alertID)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	})

	txn, err := sb.SendAlertResponse(ctx(t), roomID, alertID, alert.Response{Status: alert.StatusComing, ETAMinutes: 7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	const filler = 60 // beyond the engine's timeline limit of 50
	var last string
	for i := range filler {
		if last, err = sb.Send(ctx(t), roomID, session.Draft{Text: fmt.Sprintf("Lagemeldung %d", i), Plain: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sb.WaitSent(ctx(t), last); err != nil {
		t.Fatal(err)
	}

	seq, _ := sa.LastSeq(ctx(t))
	sub := sa.Subscribe(seq)
	defer sub.Close()
	mustSync(t, sa)
	if !gotChange(t, sub, session.ChangeTimelineReset, "") {
		t.Fatal("the sync had no gap: the test proves nothing")
	}
	b, err := sa.AlertBoard(ctx(t), roomID, alertID)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Responses) != 1 || b.Responses[0].UserID != sb.Account().UserID || b.Responses[0].Status != alert.StatusComing ||
		b.Responses[0].ETAMinutes != 7 || b.Counts.None != 0 {
		t.Fatalf("board after the gap: %+v", b)
	}
}
