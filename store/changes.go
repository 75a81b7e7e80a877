package store

import (
	"fmt"
	"time"
)

// Change is one entry of the persistent change log that subscribers follow.
type Change struct {
	Seq     int64
	Kind    string
	RoomID  string
	EventID string
	TS      int64
}

// AddChange appends to the change log and returns it with its sequence number.
func (tx *Tx) AddChange(kind, roomID, eventID string) (Change, error) {
	c := Change{Kind: kind, RoomID: roomID, EventID: eventID, TS: time.Now().UnixMilli()}
	res, err := tx.tx.Exec(`INSERT INTO change (kind, room_id, event_id, ts) VALUES (?,?,?,?)`, kind, roomID, eventID, c.TS)
	if err != nil {
		return c, fmt.Errorf("failed to log change: %w", err)
	}
	c.Seq, err = res.LastInsertId()
	return c, err
}

// ChangesSince lists changes with a sequence number above seq, oldest first, up to limit.
func (tx *Tx) ChangesSince(seq int64, limit int) ([]Change, error) {
	rows, err := tx.tx.Query(`SELECT seq, kind, room_id, event_id, ts FROM change WHERE seq > ? ORDER BY seq LIMIT ?`, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("failed to read changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.Kind, &c.RoomID, &c.EventID, &c.TS); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LastChangeSeq is the newest sequence number (0 when the log is empty).
func (tx *Tx) LastChangeSeq() (int64, error) {
	var seq int64
	err := tx.tx.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM change`).Scan(&seq)
	return seq, err
}

// PruneChanges keeps only the newest keep entries of the change log.
func (tx *Tx) PruneChanges(keep int) error {
	_, err := tx.tx.Exec(`DELETE FROM change WHERE seq <= (SELECT COALESCE(MAX(seq), 0) FROM change) - ?`, keep)
	return err
}
