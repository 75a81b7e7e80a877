package session_test

import (
	"errors"
	"strings"
	"testing"

	"maunium.net/go/mautrix"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// The send queue lists failed messages; Retry and Drop act on them and say so through change
// events (the GUI's "Erneut senden" takes the same path); unknown IDs and sent messages are refused.
func TestQueueRetryDrop(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	a, b := newAccount(t, srv, "queueA"), newAccount(t, srv, "queueB")
	sa, sb := a.login(t), b.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Warteschlange"})
	mustSync(t, sb)

	// a removes b; b has not synced since, so its store still says joined: the send fails for good.
	kick := func() {
		t.Helper()
		if _, err := sa.ClientForTest().KickUser(ctx(t), roomID, &mautrix.ReqKickUser{UserID: sb.Account().UserID}); err != nil {
			t.Fatal(err)
		}
	}
	kick()
	failedSend := func(body string) string {
		t.Helper()
		txn, err := sb.Send(ctx(t), roomID, session.Draft{Text: body, Plain: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sb.WaitSent(ctx(t), txn); err == nil {
			t.Fatalf("%q was sent by a removed member", body)
		}
		e, err := sb.QueueEntryByID(ctx(t), txn)
		if err != nil || e.State != session.QueueFailed || e.Attempts != 1 || e.Error == "" || e.RoomID != roomID || e.Preview != body {
			t.Fatalf("queue entry of %q: %+v %v", body, e, err)
		}
		return txn
	}
	first := failedSend("nach dem Rauswurf")

	seq, err := sb.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := sb.Subscribe(seq)
	defer sub.Close()
	wantChange := func(txn string) {
		t.Helper()
		for {
			batch, err := sub.Next(ctx(t))
			if err != nil {
				t.Fatalf("no send_state change for %s: %v", txn, err)
			}
			for _, c := range batch {
				if c.Kind == session.ChangeSendState && c.EventID.String() == txn && c.RoomID == roomID {
					return
				}
			}
		}
	}

	// Retry while still removed: queued again (a change), then failed again.
	if err := sb.Retry(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	wantChange(first)
	if e, _ := sb.QueueEntryByID(ctx(t), first); e.State != session.QueueQueued {
		t.Fatalf("after retry: %+v", e)
	}
	if _, err := sb.WaitSent(ctx(t), first); err == nil {
		t.Fatal("retry of a removed member succeeded")
	}

	// Unknown IDs.
	for _, err := range []error{sb.Retry(ctx(t), "bos-nope"), sb.Drop(ctx(t), "bos-nope")} {
		if !errors.Is(err, session.ErrUnknownQueueEntry) {
			t.Fatalf("unknown ID: %v", err)
		}
	}

	// b is invited again and joins: the retry goes through, exactly once.
	if _, err := sa.ClientForTest().InviteUser(ctx(t), roomID, &mautrix.ReqInviteUser{UserID: sb.Account().UserID}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	if err := sb.Retry(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	eventID, err := sb.WaitSent(ctx(t), first)
	if err != nil {
		t.Fatalf("retry after rejoining: %v", err)
	}
	if err := sb.Drop(ctx(t), first); !errors.Is(err, session.ErrAlreadySent) {
		t.Fatalf("drop of a sent message: %v", err)
	}
	hist := waitForBodies(t, sa, roomID, 50, "nach dem Rauswurf")
	if n := countBody(hist, "nach dem Rauswurf"); n != 1 {
		t.Fatalf("retried message arrived %d times", n)
	}
	_ = eventID

	// Drop: the failed message and its local echo are gone, with a change event.
	kick()
	second := failedSend("wird verworfen")
	if err := sb.Drop(ctx(t), second); err != nil {
		t.Fatal(err)
	}
	wantChange(second)
	if _, err := sb.QueueEntryByID(ctx(t), second); !errors.Is(err, session.ErrUnknownQueueEntry) {
		t.Fatalf("dropped entry still there: %v", err)
	}
	msgs, err := sb.Timeline(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.TxnID == second || strings.Contains(m.Body, "wird verworfen") {
			t.Fatalf("dropped message still in the timeline: %+v", m)
		}
	}
	q, err := sb.Queue(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range q {
		if e.ID == second {
			t.Fatalf("dropped message still queued: %+v", e)
		}
	}
}
