package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// knownRoom makes sure the store knows the room, syncing once if it does not yet.
func knownRoom(ctx context.Context, s *session.Session, roomID id.RoomID) error {
	if _, err := s.Room(ctx, roomID); !errors.Is(err, session.ErrUnknownRoom) {
		return err
	}
	if _, err := s.SyncOnce(ctx, 0); err != nil {
		return err
	}
	_, err := s.Room(ctx, roomID)
	return err
}

func cmdSend(ctx context.Context, a *args) error {
	pos, err := a.positional(2)
	if err != nil {
		return err
	}
	roomID, text := id.RoomID(pos[0]), pos[1]
	root, err := a.eventID("thread")
	if err != nil {
		return err
	}
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		if root != "" {
			return s.Send(ctx, roomID, session.Draft{Text: text, Thread: root})
		}
		return s.Send(ctx, roomID, session.Draft{Text: text, Plain: true})
	})
}

// defaultSendTimeout is how long send, send-file and queue retry wait for the homeserver to accept
// a message before they leave it in the queue (exit status exitQueued).
const defaultSendTimeout = 10 * time.Second

// exitQueued is the exit status of a message that is queued but not yet sent.
const exitQueued = 3

// queuedError says that a message waits in the send queue: it was not sent yet and will be sent
// exactly once later (by the next bosctl sync, or any command that sends the queue).
type queuedError struct {
	txnID string
	why   string
}

func (e queuedError) Error() string {
	return fmt.Sprintf("not sent yet (%s): the message is queued as %s and will be sent by the next bosctl sync "+
		"(or any other command that sends the queue; see bosctl queue)", e.why, e.txnID)
}

// ExitCode makes bosctl exit with exitQueued.
func (queuedError) ExitCode() int { return exitQueued }

// sendAndPrint queues a message with queue (after making sure the room is known), waits until the
// server has accepted it and prints its event ID. It waits at most --timeout for the server (for
// the room lookup, and again once the message is queued).
func sendAndPrint(ctx context.Context, a *args, roomID id.RoomID, queue func(s *session.Session) (string, error)) error {
	timeout, err := a.duration("timeout", defaultSendTimeout)
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		kctx, cancel := context.WithTimeout(ctx, timeout)
		err := knownRoom(kctx, s, roomID)
		timedOut := errors.Is(kctx.Err(), context.DeadlineExceeded)
		cancel()
		if err != nil {
			if timedOut {
				return fmt.Errorf("the homeserver did not answer within %v (looking up %s); nothing was sent", timeout, roomID)
			}
			return err
		}
		txnID, err := queue(s)
		if err != nil {
			return err
		}
		return waitAndPrint(ctx, a, s, txnID, timeout)
	})
}

// waitAndPrint sends the queue until the message txnID is accepted (printing its event ID), has
// failed for good, or timeout has passed (queuedError).
func waitAndPrint(ctx context.Context, a *args, s *session.Session, txnID string, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	eventID, err := s.WaitSent(wctx, txnID)
	if err == nil {
		fmt.Fprintln(a.stdout, eventID)
		return nil
	}
	// Look again with a context that has not ended: the answer may have come at the last moment.
	st, serr := s.SendStateOf(context.WithoutCancel(ctx), txnID)
	switch {
	case serr != nil:
		return err
	case st.State == session.QueueSent:
		fmt.Fprintln(a.stdout, st.EventID)
		return nil
	case st.State == session.QueueFailed:
		return fmt.Errorf("%w (it stays in the queue as failed: bosctl queue retry %s, or bosctl queue drop %s)", err, txnID, txnID)
	case wctx.Err() == nil:
		return err
	}
	why := fmt.Sprintf("the homeserver did not accept it within %v", timeout)
	if ctx.Err() != nil {
		why = "interrupted"
	}
	if st.Error != "" {
		why += "; last error: " + st.Error
	}
	return queuedError{txnID: txnID, why: why}
}

func cmdTail(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	roomID := id.RoomID(pos[0])
	asJSON := a.bool("json")
	count, err := a.int("count", 0)
	if err != nil {
		return err
	}
	timeout, err := a.duration("timeout", 0)
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		seq, err := s.LastSeq(ctx)
		if err != nil {
			return err
		}
		sub := s.Subscribe(seq)
		defer sub.Close()
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		go func() {
			err := s.Run(ctx, 30*time.Second, nil)
			if ctx.Err() == nil {
				cancel(err)
			}
		}()
		printed := 0
		for count == 0 || printed < count {
			changes, err := sub.Next(ctx)
			if err != nil {
				if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.DeadlineExceeded) && !errors.Is(cause, context.Canceled) {
					return cause
				}
				if count > 0 {
					return fmt.Errorf("timeout: %d of %d events arrived", printed, count)
				}
				return nil
			}
			for _, c := range changes {
				if c.Kind != session.ChangeTimeline || c.RoomID != roomID {
					continue
				}
				ev, ok, err := s.Event(ctx, c.EventID)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if err := printEvent(a, ev, asJSON); err != nil {
					return err
				}
				printed++
				if count > 0 && printed >= count {
					break
				}
			}
		}
		return nil
	})
}

func cmdHistory(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	asJSON := a.bool("json")
	limit, err := a.int("limit", 20)
	if err != nil {
		return err
	}
	if limit == 0 {
		return usageError{"--limit must be at least 1"}
	}
	roomID := id.RoomID(pos[0])
	root, err := a.eventID("thread")
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		// Catch up first, so the newest messages (also our own) are there. Offline, the stored
		// history is still shown.
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0)
		cancel()
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		var events []session.TimelineEvent
		if root != "" {
			// Replies the store missed come from the server (offline: the stored ones).
			fetchCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
			_, _ = s.LoadThread(fetchCtx, roomID, root)
			cancel()
			events, err = s.ThreadHistory(ctx, roomID, root, limit)
		} else {
			events, err = s.History(ctx, roomID, limit)
		}
		if err != nil {
			return err
		}
		for _, ev := range events {
			if err := printEvent(a, ev, asJSON); err != nil {
				return err
			}
		}
		return nil
	})
}
