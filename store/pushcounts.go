package store

import "fmt"

// AddPushCount records a notifying event of a room (once; a known event ID is left as it is).
func (tx *Tx) AddPushCount(roomID, eventID string, ts int64, highlight bool) error {
	_, err := tx.tx.Exec(`INSERT INTO push_count (event_id, room_id, ts, highlight) VALUES (?,?,?,?)
		ON CONFLICT (event_id) DO NOTHING`, eventID, roomID, ts, highlight)
	if err != nil {
		return fmt.Errorf("failed to record notification count: %w", err)
	}
	return nil
}

// PushCounts returns how many recorded notifying events of the room there are, and how many of
// them highlight.
func (tx *Tx) PushCounts(roomID string) (notify, highlight int, err error) {
	err = tx.tx.QueryRow(`SELECT COUNT(*), COALESCE(SUM(highlight), 0) FROM push_count WHERE room_id = ?`,
		roomID).Scan(&notify, &highlight)
	if err != nil {
		return 0, 0, fmt.Errorf("failed to read notification counts: %w", err)
	}
	return notify, highlight, nil
}

// ClearPushCounts forgets the room's notifying events up to and including ts (they were read).
func (tx *Tx) ClearPushCounts(roomID string, ts int64) error {
	if _, err := tx.tx.Exec(`DELETE FROM push_count WHERE room_id = ? AND ts <= ?`, roomID, ts); err != nil {
		return fmt.Errorf("failed to clear notification counts: %w", err)
	}
	return nil
}
