package session

import (
	"context"
	"slices"
	"time"
)

// sendLoop sends queued messages as soon as they are queued, instead of waiting for the sync loop's
// next round (a long poll can take 30 s). It wakes on send-state changes and, while messages stay
// queued after a temporary failure, retries with backoff. It returns when ctx ends.
func (s *Session) sendLoop(ctx context.Context) {
	seq, err := s.LastSeq(ctx)
	if err != nil {
		return
	}
	sub := s.Subscribe(seq)
	defer sub.Close()
	backoff := s.cfg.MinBackoff
	for {
		if err := s.FlushQueue(ctx); err != nil && ctx.Err() == nil {
			s.log.Debug().Err(err).Msg("Sending queued messages failed")
		}
		pending, err := s.pendingOutgoing(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := time.Duration(0)
		if err == nil && len(pending) > 0 {
			wait = backoff
			backoff = min(backoff*2, s.cfg.MaxBackoff)
		} else {
			backoff = s.cfg.MinBackoff
		}
		if !waitForChange(ctx, sub, wait, ChangeSendState) {
			return
		}
	}
}

// waitForChange blocks until a change of one of kinds arrives on sub, or wait has passed (0: no
// timeout). It reports false when ctx ended (a timeout reports true: the caller tries again).
func waitForChange(ctx context.Context, sub *Subscription, wait time.Duration, kinds ...ChangeKind) bool {
	wctx, cancel := ctx, context.CancelFunc(func() {})
	if wait > 0 {
		wctx, cancel = context.WithTimeout(ctx, wait)
	}
	defer cancel()
	for {
		batch, err := sub.Next(wctx)
		if err != nil {
			return ctx.Err() == nil
		}
		for _, c := range batch {
			if slices.Contains(kinds, c.Kind) {
				return true
			}
		}
	}
}
