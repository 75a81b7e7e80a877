package session

import (
	"context"
	"slices"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/poll"
	"bosmessenger/store"
)

// TimelineDelta says what a batch of changes did to one room's main timeline, by row, so that a
// subscriber that holds some rows updates only those: TimelineAfter its newest row for New,
// TimelineRows for Changed, TimelineReadBy for Receipts, the newest page's echoes for Echoes.
type TimelineDelta struct {
	// Reset: the stored timeline was replaced (a gap) or pruned; load the newest page again.
	Reset bool
	// New: rows were added after the newest row.
	New bool
	// Older: older rows were added (pagination); the start of the room may not be reached yet.
	Older bool
	// Changed are the rows whose own content changed: edited, redacted, decrypted, a reaction,
	// thread reply, poll vote or other relation to them arrived or was redacted. Rows the
	// subscriber does not hold can be ignored.
	Changed []id.EventID
	// Receipts: other users' read receipts moved (and our own, which thread summaries count).
	Receipts bool
	// Echoes: our outgoing messages changed (queued, sent, failed, or their event arrived).
	Echoes bool
	// Members: names or avatars may have changed; rows show them.
	Members bool

	seen map[id.EventID]bool // Changed as a set
}

// Empty tells whether the delta touches nothing.
func (d TimelineDelta) Empty() bool {
	return !d.Reset && !d.New && !d.Older && len(d.Changed) == 0 && !d.Receipts && !d.Echoes && !d.Members
}

// TimelineChanges reads a batch of changes (from Subscription.Next) for the main timeline of
// roomID: which rows are new and which rows changed. It looks up only the events the batch names.
func (s *Session) TimelineChanges(ctx context.Context, roomID id.RoomID, batch []Change) (TimelineDelta, error) {
	d := TimelineDelta{seen: map[id.EventID]bool{}}
	var added, decrypted []string
	for _, c := range batch {
		if c.RoomID != roomID && c.RoomID != "" {
			continue
		}
		switch c.Kind {
		case ChangeTimelineReset:
			d.Reset = c.RoomID == roomID || d.Reset
		case ChangeBackfill:
			if c.RoomID == "" {
				d.Reset = true // retention pruned old events of every room
			} else {
				d.Older = true
			}
		case ChangeTimeline:
			if c.RoomID == roomID && c.EventID != "" {
				added = append(added, c.EventID.String())
			}
		case ChangeDecrypted:
			if c.RoomID == roomID && c.EventID != "" {
				decrypted = append(decrypted, c.EventID.String())
			}
		case ChangeReceipts:
			d.Receipts = d.Receipts || c.RoomID == roomID
		case ChangeSendState:
			d.Echoes = true
		case ChangeMembers:
			d.Members = d.Members || c.RoomID == roomID
		}
	}
	if len(added)+len(decrypted) == 0 {
		return d, nil
	}
	me := s.account.UserID.String()
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		events, err := tx.EventsByIDs(roomID.String(), append(slices.Clone(added), decrypted...))
		if err != nil {
			return err
		}
		isAdded := make(map[string]bool, len(added))
		for _, e := range added {
			isAdded[e] = true
		}
		var redactions []string
		for _, e := range events {
			isNew := isAdded[e.EventID]
			if isCallEvent(e.Type) || isCallEvent(e.DecryptedType) {
				// A call's answer, hangup or reject changes the line of its invite, which folds the
				// call's events of the rows it is built with: load the newest page again, where
				// invite and outcome lie together (calls are rare, a page is cheap).
				d.Reset = true
				continue
			}
			if isNew && e.Sender == me {
				d.Echoes = true // an echo may have become this stored row
			}
			switch {
			case e.Type == "m.room.redaction":
				redactions = append(redactions, e.EventID)
			case e.RelatesTo != "" && e.RelType != "" && e.RelType != "m.in_reply_to":
				d.changed(e.RelatesTo) // edit, reaction, thread reply, vote, response: its target
				if !rowOfItsOwn(e) {
					continue
				}
				fallthrough
			default:
				if !rowOfItsOwn(e) {
					continue
				}
				if isNew {
					d.New = true
				} else {
					d.changed(e.EventID) // decrypted later
				}
			}
		}
		if len(redactions) > 0 {
			gone, err := tx.RedactedByEvents(roomID.String(), redactions)
			if err != nil {
				return err
			}
			for _, e := range gone {
				d.changed(e.EventID)
				if e.RelatesTo != "" && e.RelType != "m.in_reply_to" {
					d.changed(e.RelatesTo) // a redacted edit or reaction changes its target
				}
			}
		}
		return nil
	})
	return d, err
}

func (d *TimelineDelta) changed(ev string) {
	if e := id.EventID(ev); !d.seen[e] {
		d.seen[e] = true
		d.Changed = append(d.Changed, e)
	}
}

// rowOfItsOwn tells whether the main timeline shows the event as a row (store.TimelineBefore's
// condition): not an edit, reaction, redaction, poll vote or thread reply.
func rowOfItsOwn(e *store.Event) bool {
	switch e.RelType {
	case "m.annotation", "m.replace", "m.thread":
		return false
	}
	switch e.Type {
	case "m.room.redaction", "m.reaction":
		return false
	}
	t := e.Type
	if e.DecryptedType != "" {
		t = e.DecryptedType
	}
	return t != poll.TypeResponse && t != poll.StableResponse
}
