package store

import (
	"fmt"
)

// AppendTimeline adds events after the newest timeline entry of the room (already present ones are skipped).
func (tx *Tx) AppendTimeline(roomID string, eventRowIDs ...int64) error {
	for _, id := range eventRowIDs {
		_, err := tx.tx.Exec(`INSERT INTO timeline (id, room_id, event_rowid)
			VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM timeline), ?, ?) ON CONFLICT DO NOTHING`, roomID, id)
		if err != nil {
			return fmt.Errorf("failed to append to timeline: %w", err)
		}
	}
	return nil
}

// PrependTimeline adds events before the oldest timeline entry of the room; eventRowIDs are given
// newest first, as /messages returns them when paginating backwards.
func (tx *Tx) PrependTimeline(roomID string, eventRowIDs ...int64) error {
	for _, id := range eventRowIDs {
		_, err := tx.tx.Exec(`INSERT INTO timeline (id, room_id, event_rowid)
			VALUES ((SELECT COALESCE(MIN(id), 0) - 1 FROM timeline), ?, ?) ON CONFLICT DO NOTHING`, roomID, id)
		if err != nil {
			return fmt.Errorf("failed to prepend to timeline: %w", err)
		}
	}
	return nil
}

// ClearTimeline forgets the room's timeline order (after a limited sync left a gap); events stay stored.
func (tx *Tx) ClearTimeline(roomID string) error {
	_, err := tx.tx.Exec(`DELETE FROM timeline WHERE room_id = ?`, roomID)
	if err != nil {
		return fmt.Errorf("failed to clear timeline: %w", err)
	}
	return nil
}

// TimelineLen counts the room's timeline entries.
func (tx *Tx) TimelineLen(roomID string) (int, error) {
	var n int
	err := tx.tx.QueryRow(`SELECT COUNT(*) FROM timeline WHERE room_id = ?`, roomID).Scan(&n)
	return n, err
}

// Timeline returns up to limit of the newest timeline events of the room, oldest first.
func (tx *Tx) Timeline(roomID string, limit int) ([]*Event, error) {
	events, err := tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM timeline t
		JOIN event e ON e.rowid = t.event_rowid WHERE t.room_id = ? ORDER BY t.id DESC LIMIT ?`, roomID, limit)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	return events, nil
}

func prefixed(prefix, columns string) string {
	out := make([]byte, 0, len(columns)+64)
	out = append(out, prefix...)
	for i := 0; i < len(columns); i++ {
		out = append(out, columns[i])
		if columns[i] == ',' {
			for i+1 < len(columns) && (columns[i+1] == ' ' || columns[i+1] == '\n' || columns[i+1] == '\t') {
				i++
			}
			out = append(out, ' ')
			out = append(out, prefix...)
		}
	}
	return string(out)
}
