package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Receipt is one read receipt.
type Receipt struct {
	RoomID   string
	UserID   string
	Type     string
	ThreadID string
	EventID  string
	TS       int64
}

// SaveReceipt records the newest receipt of a user in a room.
func (tx *Tx) SaveReceipt(r *Receipt) error {
	_, err := tx.tx.Exec(`INSERT INTO receipt (room_id, user_id, type, thread_id, event_id, ts) VALUES (?,?,?,?,?,?)
		ON CONFLICT (room_id, user_id, type, thread_id) DO UPDATE SET event_id = excluded.event_id, ts = excluded.ts`,
		r.RoomID, r.UserID, r.Type, r.ThreadID, r.EventID, r.TS)
	if err != nil {
		return fmt.Errorf("failed to save receipt: %w", err)
	}
	return nil
}

// Receipts lists the receipts in a room.
func (tx *Tx) Receipts(roomID string) ([]*Receipt, error) {
	rows, err := tx.tx.Query(`SELECT user_id, type, thread_id, event_id, ts FROM receipt WHERE room_id = ? ORDER BY user_id`, roomID)
	if err != nil {
		return nil, fmt.Errorf("failed to list receipts: %w", err)
	}
	defer rows.Close()
	var out []*Receipt
	for rows.Next() {
		r := &Receipt{RoomID: roomID}
		if err := rows.Scan(&r.UserID, &r.Type, &r.ThreadID, &r.EventID, &r.TS); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetTyping replaces the list of users typing in a room.
func (tx *Tx) SetTyping(roomID string, userIDs []string) error {
	if userIDs == nil {
		userIDs = []string{}
	}
	list, _ := json.Marshal(userIDs)
	_, err := tx.tx.Exec(`INSERT INTO typing (room_id, user_ids) VALUES (?, ?)
		ON CONFLICT (room_id) DO UPDATE SET user_ids = excluded.user_ids`, roomID, string(list))
	if err != nil {
		return fmt.Errorf("failed to save typing: %w", err)
	}
	return nil
}

// Typing lists the users typing in a room.
func (tx *Tx) Typing(roomID string) ([]string, error) {
	var list string
	err := tx.tx.QueryRow(`SELECT user_ids FROM typing WHERE room_id = ?`, roomID).Scan(&list)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("failed to load typing: %w", err)
	}
	var out []string
	return out, json.Unmarshal([]byte(list), &out)
}

// SetAccountData stores account data (roomID "" for global), sealed.
func (tx *Tx) SetAccountData(roomID, evType string, content json.RawMessage) error {
	_, err := tx.tx.Exec(`INSERT INTO account_data (room_id, type, content_sealed) VALUES (?,?,?)
		ON CONFLICT (room_id, type) DO UPDATE SET content_sealed = excluded.content_sealed`,
		roomID, evType, tx.seal(nonNil(content), "account_data|"+roomID+"|"+evType))
	if err != nil {
		return fmt.Errorf("failed to save account data: %w", err)
	}
	return nil
}

// AccountData loads account data; nil when unset.
func (tx *Tx) AccountData(roomID, evType string) (json.RawMessage, error) {
	var sealed []byte
	err := tx.tx.QueryRow(`SELECT content_sealed FROM account_data WHERE room_id = ? AND type = ?`, roomID, evType).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("failed to load account data: %w", err)
	}
	return tx.open(sealed, "account_data|"+roomID+"|"+evType)
}
