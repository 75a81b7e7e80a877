package ui

import (
	"slices"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// Loading the shown room's timeline by row: the engine goroutine reads what a change batch did to
// the rows the timeline holds (session.TimelineChanges) and loads only those rows; the UI
// goroutine applies them in the same fyne.Do as the rest of the batch.

// rowUpdate is what one change batch loaded for the shown timeline.
type rowUpdate struct {
	reload   bool              // replace everything with msgs (newest page)
	msgs     []session.Message // reload: the newest page with its echoes
	older    bool              // older rows may exist again (pagination elsewhere)
	added    []session.Message // rows after the newest one held
	changed  []session.Message // rows to replace in place
	echoes   []session.Message
	setEcho  bool
	readBy   map[id.EventID][]id.UserID // nil: receipts unchanged
	received []session.Message          // added and changed, for read receipts and the FMS panel
	gen      int                        // the timeline's RowBounds.Gen the rows were loaded for
	read     int64                      // App.loadSeq when the read started
}

// maxNewRows bounds the rows appended from one batch; more (a long time asleep) reload the
// newest page instead.
const maxNewRows = 500

// loadRows reads what batch (nil: everything) did to the timeline of room, off the UI goroutine.
func (a *App) loadRows(room id.RoomID, batch []session.Change) (*rowUpdate, error) {
	read := a.loadSeq.Add(1)
	held := a.timeline.Bounds()
	var d session.TimelineDelta
	if batch == nil || held.Count == 0 {
		d.Reset = true
	} else {
		var err error
		if d, err = a.s.TimelineChanges(a.ctx, room, batch); err != nil {
			return nil, err
		}
	}
	u := &rowUpdate{older: d.Older, gen: held.Gen, read: read}
	if d.Reset {
		msgs, err := a.s.Timeline(a.ctx, room, pageSize)
		if err != nil {
			return nil, err
		}
		u.reload, u.msgs, u.received = true, msgs, msgs
		return u, nil
	}
	if d.New {
		p, err := a.s.TimelineAfter(a.ctx, room, held.Newest, maxNewRows)
		if err != nil {
			return nil, err
		}
		if p.Echoes == nil && len(p.Messages) == maxNewRows { // more than a page behind: start again
			d.Reset = true
			return a.loadRows(room, nil)
		}
		u.added, u.echoes, u.setEcho = p.Messages, p.Echoes, true
		d.Echoes = false
	}
	changed := d.Changed
	if d.Receipts {
		changed = append(changed, held.Threads...) // our receipts count in thread summaries
	}
	if d.Members {
		// Names and avatars: every row held is built again.
		p, err := a.s.TimelineAfter(a.ctx, room, held.Oldest-1, held.Count)
		if err != nil {
			return nil, err
		}
		u.changed = p.Messages
	} else if len(changed) > 0 {
		slices.Sort(changed)
		rows, err := a.s.TimelineRows(a.ctx, room, slices.Compact(changed))
		if err != nil {
			return nil, err
		}
		u.changed = rows
	}
	if d.Echoes {
		p, err := a.s.TimelineBefore(a.ctx, room, session.NewestRow, 1)
		if err != nil {
			return nil, err
		}
		u.echoes, u.setEcho = p.Echoes, true
	}
	if d.Receipts {
		by, err := a.s.TimelineReadBy(a.ctx, room)
		if err != nil {
			return nil, err
		}
		u.readBy = by
	}
	u.received = append(slices.Clone(u.added), u.changed...)
	return u, nil
}

// newerShown reports whether the timeline already shows a read that started after read, and
// otherwise records read as shown (UI goroutine). Reads run on several goroutines and their
// results can come back out of order: a newest page read before a message arrived must not
// replace a timeline that a later read already gave that message to.
func (a *App) newerShown(read int64) bool {
	if read < a.shownSeq {
		return true
	}
	a.shownSeq = read
	return false
}

// applyRows shows a loaded update (UI goroutine).
func (a *App) applyRows(room id.RoomID, u *rowUpdate) {
	if u.reload {
		if a.newerShown(u.read) {
			return // a read that started later is shown already: this page may lack its rows
		}
		a.timeline.Set(u.msgs, false)
	} else if a.timeline.Bounds().Gen != u.gen {
		// The timeline was replaced meanwhile (room opened, jump): these rows may not fit it.
		go a.refresh(false, true, false, nil)
		return
	} else {
		if u.older {
			a.timeline.noOlder = false
		}
		a.newerShown(u.read) // (applied even when older: it only adds rows newer than those held)
		a.timeline.ApplyRows(u.added, u.changed, u.echoes, u.setEcho)
		if u.readBy != nil {
			a.timeline.SetReadBy(u.readBy)
		}
	}
	a.markRead(room, a.timeline.all)
	a.fmsUpdate(room, u.received, false)
}
