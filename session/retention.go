package session

import (
	"context"
	"time"

	"bosmessenger/store"
)

// Local retention (policy keep_messages_days): messages older than the limit are removed from this
// device's store when the session opens, after the first sync of Run and then daily; scrolling
// back stops at the cut (Backfill keeps nothing older).

// retentionEvery is how often Run prunes.
const retentionEvery = 24 * time.Hour

// timeNow is the clock of retention (tests move it).
var timeNow = time.Now

// retentionCut is the oldest timestamp (Unix ms) a message may have; 0 when there is no limit.
func (s *Session) retentionCut() int64 {
	if s.cfg.KeepMessagesDays <= 0 {
		return 0
	}
	return timeNow().Add(-time.Duration(s.cfg.KeepMessagesDays) * 24 * time.Hour).UnixMilli()
}

// pruneOldMessages removes the messages older than keep_messages_days from the store; it returns
// how many went (0 without a limit).
func (s *Session) pruneOldMessages(ctx context.Context) (int, error) {
	cut := s.retentionCut()
	if cut == 0 {
		return 0, nil
	}
	n := 0
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.PruneMessagesBefore(cut)
		if err == nil && n > 0 {
			_, err = tx.AddChange(string(ChangeBackfill), "", "")
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	s.lastPrune.Store(timeNow().UnixMilli())
	if n > 0 {
		s.log.Info().Int("messages", n).Int("days", s.cfg.KeepMessagesDays).Msg("Removed messages past the retention limit")
		s.bus.notify()
	}
	return n, nil
}

// pruneDaily prunes when the last pruning is a day old (or none ran in this Run yet).
func (s *Session) pruneDaily(ctx context.Context, first bool) {
	if s.cfg.KeepMessagesDays <= 0 {
		return
	}
	if !first && timeNow().Sub(time.UnixMilli(s.lastPrune.Load())) < retentionEvery {
		return
	}
	if _, err := s.pruneOldMessages(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn().Err(err).Msg("Removing old messages failed")
	}
}
