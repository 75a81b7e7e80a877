package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// SetState makes an event the room's current state for (type, stateKey).
func (tx *Tx) SetState(roomID, evType, stateKey string, eventRowID int64) error {
	_, err := tx.tx.Exec(`INSERT INTO current_state (room_id, type, state_key, event_rowid) VALUES (?,?,?,?)
		ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_rowid = excluded.event_rowid`,
		roomID, evType, stateKey, eventRowID)
	if err != nil {
		return fmt.Errorf("failed to set state: %w", err)
	}
	return nil
}

// StateEvent returns the current state event for (type, stateKey); ok is false when there is none.
func (tx *Tx) StateEvent(roomID, evType, stateKey string) (*Event, bool, error) {
	events, err := tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM current_state s
		JOIN event e ON e.rowid = s.event_rowid WHERE s.room_id = ? AND s.type = ? AND s.state_key = ?`,
		roomID, evType, stateKey)
	if err != nil || len(events) == 0 {
		return nil, false, err
	}
	return events[0], true, nil
}

// Member is one room member.
type Member struct {
	RoomID     string
	UserID     string
	Membership string
	Name       string
	Avatar     string
}

// SaveMember writes a member row.
func (tx *Tx) SaveMember(m *Member) error {
	ad := "|" + m.RoomID + "|" + m.UserID
	_, err := tx.tx.Exec(`INSERT INTO member (room_id, user_id, membership, name_sealed, avatar_sealed) VALUES (?,?,?,?,?)
		ON CONFLICT (room_id, user_id) DO UPDATE SET membership = excluded.membership,
		name_sealed = excluded.name_sealed, avatar_sealed = excluded.avatar_sealed`,
		m.RoomID, m.UserID, m.Membership, tx.sealString(m.Name, "member.name"+ad), tx.sealString(m.Avatar, "member.avatar"+ad))
	if err != nil {
		return fmt.Errorf("failed to save member: %w", err)
	}
	return nil
}

// Members lists the room's members with the given membership ("" for all).
func (tx *Tx) Members(roomID, membership string) ([]*Member, error) {
	rows, err := tx.tx.Query(`SELECT user_id, membership, name_sealed, avatar_sealed FROM member
		WHERE room_id = ? AND (? = '' OR membership = ?) ORDER BY user_id`, roomID, membership, membership)
	if err != nil {
		return nil, fmt.Errorf("failed to list members: %w", err)
	}
	defer rows.Close()
	var out []*Member
	for rows.Next() {
		m := &Member{RoomID: roomID}
		var name, avatar []byte
		if err := rows.Scan(&m.UserID, &m.Membership, &name, &avatar); err != nil {
			return nil, err
		}
		ad := "|" + roomID + "|" + m.UserID
		var e1, e2 error
		m.Name, e1 = tx.openString(name, "member.name"+ad)
		m.Avatar, e2 = tx.openString(avatar, "member.avatar"+ad)
		if err := errors.Join(e1, e2); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Member loads one member; ok is false when unknown.
func (tx *Tx) Member(roomID, userID string) (*Member, bool, error) {
	var name, avatar []byte
	m := &Member{RoomID: roomID, UserID: userID}
	err := tx.tx.QueryRow(`SELECT membership, name_sealed, avatar_sealed FROM member WHERE room_id = ? AND user_id = ?`,
		roomID, userID).Scan(&m.Membership, &name, &avatar)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("failed to load member: %w", err)
	}
	ad := "|" + roomID + "|" + userID
	var e1, e2 error
	m.Name, e1 = tx.openString(name, "member.name"+ad)
	m.Avatar, e2 = tx.openString(avatar, "member.avatar"+ad)
	return m, true, errors.Join(e1, e2)
}

// EncryptedRoomsWithMember lists the encrypted rooms in which userID is joined or invited.
func (tx *Tx) EncryptedRoomsWithMember(userID string) ([]string, error) {
	rows, err := tx.tx.Query(`SELECT m.room_id FROM member m JOIN room r ON r.room_id = m.room_id
		WHERE m.user_id = ? AND m.membership IN ('join', 'invite') AND r.encryption IS NOT NULL`, userID)
	if err != nil {
		return nil, fmt.Errorf("failed to find shared rooms: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
