package store

import (
	"fmt"
)

// PruneMessagesBefore removes the messages (non-state events) older than cutMs (Unix
// milliseconds, server time) with their timeline entries, and sent or failed outgoing messages
// last touched before it: local retention (policy keep_messages_days). State events stay (room
// names, members, encryption). Rooms that lost messages are marked history-complete, so
// scrolling back does not load the removed messages from the server again. It returns how many
// events were removed.
func (tx *Tx) PruneMessagesBefore(cutMs int64) (int, error) {
	rows, err := tx.tx.Query(`SELECT DISTINCT room_id FROM event WHERE state_key IS NULL AND ts < ?`, cutMs)
	if err != nil {
		return 0, fmt.Errorf("failed to find old messages: %w", err)
	}
	var rooms []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return 0, fmt.Errorf("failed to find old messages: %w", err)
		}
		rooms = append(rooms, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("failed to find old messages: %w", err)
	}
	res, err := tx.tx.Exec(`DELETE FROM event WHERE state_key IS NULL AND ts < ?`, cutMs)
	if err != nil {
		return 0, fmt.Errorf("failed to remove old messages: %w", err)
	}
	n, _ := res.RowsAffected()
	for _, r := range rooms {
		if _, err := tx.tx.Exec(`UPDATE room SET history_complete = 1, prev_batch_sealed = NULL WHERE room_id = ?`, r); err != nil {
			return 0, fmt.Errorf("failed to mark room history: %w", err)
		}
	}
	if _, err := tx.tx.Exec(`DELETE FROM send_queue WHERE state != ? AND updated_ts < ?`, SendQueued, cutMs); err != nil {
		return 0, fmt.Errorf("failed to remove old outgoing messages: %w", err)
	}
	return int(n), nil
}
