package store

import (
	"fmt"
	"math"
)

// Bounds for TimelinePage: NewestRow pages back from the end of a room's timeline, OldestRow
// forward from its start. Timeline row IDs order a room's entries; backfilled ones are negative.
const (
	NewestRow int64 = math.MaxInt64
	OldestRow int64 = math.MinInt64
)

// TimelineEntry is one entry of a room's timeline: its row ID (timeline order) and its event.
type TimelineEntry struct {
	Row   int64
	Event *Event
}

// timelineShown is the condition of TimelineMessages: the entries a timeline shows as rows of their
// own (no edits, reactions, redactions, poll votes or thread replies).
const timelineShown = `COALESCE(e.rel_type, '') NOT IN ('m.annotation', 'm.replace', 'm.thread') AND e.type NOT IN ('m.room.redaction', 'm.reaction')
	AND COALESCE(e.decrypted_type, e.type) NOT IN ('org.matrix.msc3381.poll.response', 'm.poll.response')`

// TimelineBefore returns up to limit of the shown timeline entries of the room with a row ID below
// before (NewestRow: the newest ones), oldest first. Its cost depends on limit, not on the row's
// place in the room.
func (tx *Tx) TimelineBefore(roomID string, before int64, limit int) ([]TimelineEntry, error) {
	out, err := tx.queryEntries(`SELECT `+prefixed("e.", eventColumns)+`, t.id FROM timeline t
		JOIN event e ON e.rowid = t.event_rowid WHERE t.room_id = ? AND t.id < ? AND `+timelineShown+`
		ORDER BY t.id DESC LIMIT ?`, roomID, before, limit)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// TimelineAfter returns up to limit of the shown timeline entries of the room with a row ID above
// after (OldestRow: from the start), oldest first.
func (tx *Tx) TimelineAfter(roomID string, after int64, limit int) ([]TimelineEntry, error) {
	return tx.queryEntries(`SELECT `+prefixed("e.", eventColumns)+`, t.id FROM timeline t
		JOIN event e ON e.rowid = t.event_rowid WHERE t.room_id = ? AND t.id > ? AND `+timelineShown+`
		ORDER BY t.id LIMIT ?`, roomID, after, limit)
}

// TimelineEntries returns the timeline entries of the room whose events are among eventIDs, in
// timeline order; events without a timeline entry, and those a timeline does not show as rows, are
// missing.
func (tx *Tx) TimelineEntries(roomID string, eventIDs []string) ([]TimelineEntry, error) {
	var out []TimelineEntry
	for len(eventIDs) > 0 {
		chunk := eventIDs[:min(len(eventIDs), maxInArgs)]
		eventIDs = eventIDs[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, roomID)
		for _, id := range chunk {
			args = append(args, id)
		}
		list, err := tx.queryEntries(`SELECT `+prefixed("e.", eventColumns)+`, t.id FROM event e
			JOIN timeline t ON t.event_rowid = e.rowid AND t.room_id = ?
			WHERE e.event_id IN (`+placeholders(len(chunk))+`) AND `+timelineShown+` ORDER BY t.id`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

func (tx *Tx) queryEntries(query string, args ...any) ([]TimelineEntry, error) {
	rows, err := tx.tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to query the timeline: %w", err)
	}
	defer rows.Close()
	var out []TimelineEntry
	for rows.Next() {
		var row int64
		e, err := tx.scanEvent(rows, &row)
		if err != nil {
			return nil, err
		}
		out = append(out, TimelineEntry{Row: row, Event: e})
	}
	return out, rows.Err()
}

// RedactedByEvents lists the events of the room that the redaction events redactionIDs redacted.
func (tx *Tx) RedactedByEvents(roomID string, redactionIDs []string) ([]*Event, error) {
	var out []*Event
	for len(redactionIDs) > 0 {
		chunk := redactionIDs[:min(len(redactionIDs), maxInArgs)]
		redactionIDs = redactionIDs[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, roomID)
		for _, id := range chunk {
			args = append(args, id)
		}
		list, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE room_id = ?
			AND redacted_by IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}
