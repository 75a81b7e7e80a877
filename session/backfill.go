package session

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// backfillWorkers is how many rooms BackfillInitial fetches at once.
const backfillWorkers = 4

// backfillPending reports whether the initial sync's back-fill (phase 2) has not finished yet.
func (s *Session) backfillPending(ctx context.Context) (bool, error) {
	var v string
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		v, err = tx.Value(store.KeyBackfillPending)
		return err
	})
	return v != "", err
}

// BackfillInitial is phase 2 of the initial sync: the initial sync (phase 1) stores only the newest
// firstSyncLimit events of every room, enough for the room list; this fills each joined room's
// stored timeline up to timelineLimit events from the server (/messages, as scrolling back does),
// a few rooms at a time, each page in its own store transaction. It does nothing when no back-fill
// is pending, and is resumable: the pending mark is cleared only after every room was fetched, so
// an interrupted back-fill continues at the next call (rooms done already are skipped). It returns
// the number of events added.
func (s *Session) BackfillInitial(ctx context.Context) (int, error) {
	pending, err := s.backfillPending(ctx)
	if err != nil || !pending {
		return 0, err
	}
	type job struct {
		room id.RoomID
		n    int
	}
	var jobs []job
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		rooms, err := tx.Rooms()
		if err != nil {
			return err
		}
		for _, r := range rooms {
			if r.Membership != "join" || r.HistoryComplete || r.PrevBatch == "" {
				continue
			}
			n, err := tx.TimelineLen(r.ID)
			if err != nil {
				return err
			}
			if n < timelineLimit {
				jobs = append(jobs, job{id.RoomID(r.ID), timelineLimit - n})
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("failed to plan the back-fill: %w", err)
	}
	var (
		mu    sync.Mutex
		added int
		errs  []error
		wg    sync.WaitGroup
		queue = make(chan job)
	)
	for range min(backfillWorkers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				n, err := s.backfill(ctx, j.room, j.n)
				mu.Lock()
				added += n
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", j.room, err))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case queue <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return added, fmt.Errorf("failed to back-fill the timelines (resumed next time): %w", err)
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetValue(store.KeyBackfillPending, "") })
	if err != nil {
		return added, fmt.Errorf("failed to finish the back-fill: %w", err)
	}
	s.log.Debug().Int("rooms", len(jobs)).Int("events", added).Msg("Back-filled the timelines after the initial sync")
	return added, nil
}
