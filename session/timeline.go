package session

import (
	"context"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// The timeline API. Timeline returns the newest messages of a room in one call (bosctl, export,
// previews); a GUI pages by row instead: TimelineBefore and TimelineAfter return pages before or
// after a row it holds, TimelineChanges (timeline_rows.go) says which rows a batch of changes
// touched, TimelineRows builds just those again and TimelineReadBy moves receipts. The cost of
// each call follows the rows it returns, not the size of the room.

// Bounds of the server requests one Timeline call makes: a GUI must not wait long for them.
const (
	timelineBackfillRounds  = 3
	timelineBackfillTimeout = 10 * time.Second
)

// Rows to page from: NewestRow asks TimelineBefore for the newest page, OldestRow asks
// TimelineAfter for the first one.
const (
	NewestRow = store.NewestRow
	OldestRow = store.OldestRow
)

// TimelinePage is one page of a room's main timeline.
type TimelinePage struct {
	// Messages are stored rows, oldest first, each with its Row.
	Messages []Message
	// Echoes are our outgoing messages the server has not echoed yet, with their send state; set
	// only when the page reaches the newest row (they follow it).
	Echoes []Message
	// Start tells that no older rows exist: the page is shorter than asked for (after fetching
	// older history from the server when there was more) or begins with the room's creation.
	Start bool

	entries int // timeline entries read (call events fold away, so Messages may be fewer)
}

// Timeline returns the last limit messages of a room, oldest first, as a GUI shows them, followed
// by our outgoing messages that the server has not echoed yet (local echo, with their send state).
// Edits, reactions and redactions are folded into the messages they refer to. When the store
// holds fewer messages and the room's history goes further back, older events are fetched from
// the server first (as History does); if that fails, the stored messages are returned.
func (s *Session) Timeline(ctx context.Context, roomID id.RoomID, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = 50
	}
	p, err := s.TimelineBefore(ctx, roomID, NewestRow, limit)
	if err != nil {
		return nil, err
	}
	return append(p.Messages, p.Echoes...), nil
}

// TimelineBefore returns up to limit rows of the room's main timeline before the row before
// (NewestRow: the newest rows, followed by the echoes), oldest first. When the store holds fewer
// and the room's history goes further back, older events are fetched from the server first; if
// that fails, the stored rows are returned.
func (s *Session) TimelineBefore(ctx context.Context, roomID id.RoomID, before int64, limit int) (TimelinePage, error) {
	if limit <= 0 {
		limit = 50
	}
	for round := 0; ; round++ {
		var page TimelinePage
		var room *store.Room
		err := s.readTimeline(ctx, roomID, func(tx *store.Tx, r *store.Room, b *timelineBuilder) error {
			room = r
			entries, err := tx.TimelineBefore(r.ID, before, limit)
			if err != nil {
				return err
			}
			page, err = b.page(entries, before == NewestRow)
			return err
		})
		if err != nil {
			return TimelinePage{}, err
		}
		stored := page.entries
		if stored >= limit || room.HistoryComplete || room.PrevBatch == "" || round >= timelineBackfillRounds {
			page.Start = page.Start || stored < limit
			return page, nil
		}
		bctx, cancel := context.WithTimeout(ctx, timelineBackfillTimeout)
		_, err = s.backfill(bctx, roomID, max(limit-stored, 20))
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return TimelinePage{}, ctx.Err()
			}
			s.log.Warn().Str("room_id", roomID.String()).Err(err).Msg("Loading older messages failed; showing stored ones")
			page.Start = true
			return page, nil
		}
	}
}

// TimelineAfter returns up to limit rows of the room's main timeline after the row after
// (OldestRow: from the first stored row), oldest first; when they reach the newest row the
// echoes follow. It never asks the server.
func (s *Session) TimelineAfter(ctx context.Context, roomID id.RoomID, after int64, limit int) (TimelinePage, error) {
	if limit <= 0 {
		limit = 50
	}
	var page TimelinePage
	err := s.readTimeline(ctx, roomID, func(tx *store.Tx, r *store.Room, b *timelineBuilder) error {
		entries, err := tx.TimelineAfter(r.ID, after, limit+1) // one more: is this the newest page?
		if err != nil {
			return err
		}
		newest := len(entries) <= limit
		if !newest {
			entries = entries[:limit]
		}
		page, err = b.page(entries, newest)
		return err
	})
	return page, err
}

// TimelineRows builds the rows of the room's main timeline whose events are among ids again (in
// timeline order; events that are not rows of their own are left out), e.g. the rows a
// TimelineDelta names as changed.
func (s *Session) TimelineRows(ctx context.Context, roomID id.RoomID, ids []id.EventID) ([]Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list := make([]string, len(ids))
	for i, e := range ids {
		list[i] = e.String()
	}
	var out []Message
	err := s.readTimeline(ctx, roomID, func(tx *store.Tx, r *store.Room, b *timelineBuilder) error {
		entries, err := tx.TimelineEntries(r.ID, list)
		if err != nil {
			return err
		}
		out, _, err = b.build(entrySet(entries), buildOptions{})
		return err
	})
	return out, err
}

// TimelineReadBy returns, for each event of the room's main timeline that other users' read
// receipts point at, who read up to it (Message.ReadBy): the receipt step alone, for moving
// receipts between rows without building them again.
func (s *Session) TimelineReadBy(ctx context.Context, roomID id.RoomID) (map[id.EventID][]id.UserID, error) {
	var receipts []*store.Receipt
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		receipts, err = tx.Receipts(roomID.String())
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[id.EventID][]id.UserID{}
	for ev, users := range readBy(receipts, s.account.UserID.String(), "") {
		out[id.EventID(ev)] = users
	}
	return out, nil
}

// readTimeline runs fn in a read transaction with the room and a builder for it.
func (s *Session) readTimeline(ctx context.Context, roomID id.RoomID, fn func(*store.Tx, *store.Room, *timelineBuilder) error) error {
	return s.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		b, err := newTimelineBuilder(tx, room, s.account.UserID.String(), &s.orgs)
		if err != nil {
			return err
		}
		err = fn(tx, room, b)
		s.rowsFolded.Add(int64(b.folded))
		return err
	})
}

// page builds the entries as a page; newest adds the echoes.
func (b *timelineBuilder) page(entries []store.TimelineEntry, newest bool) (TimelinePage, error) {
	out, stored, err := b.build(entrySet(entries), buildOptions{echoes: newest})
	if err != nil {
		return TimelinePage{}, err
	}
	p := TimelinePage{Messages: out[:stored:stored], entries: len(entries)}
	if stored < len(out) {
		p.Echoes = out[stored:]
	}
	if stored > 0 && p.Messages[0].Kind == KindState && p.Messages[0].StateKind == StateCreate {
		p.Start = true
	}
	return p, nil
}
