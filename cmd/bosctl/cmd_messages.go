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
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		return s.SendText(ctx, roomID, text)
	})
}

// sendAndPrint queues a message with queue (after making sure the room is known), waits until the
// server has accepted it and prints its event ID.
func sendAndPrint(ctx context.Context, a *args, roomID id.RoomID, queue func(s *session.Session) (string, error)) error {
	return withSession(ctx, a, func(s *session.Session) error {
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		txnID, err := queue(s)
		if err != nil {
			return err
		}
		eventID, err := s.WaitSent(ctx, txnID)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, eventID)
		return nil
	})
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
	return withSession(ctx, a, func(s *session.Session) error {
		// Catch up first, so the newest messages (also our own) are there. Offline, the stored
		// history is still shown.
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0)
		cancel()
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		events, err := s.History(ctx, roomID, limit)
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
