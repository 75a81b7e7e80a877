package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Room is the stored summary of one room.
type Room struct {
	ID              string
	Membership      string // join, invite, leave, ban
	Name            string
	Topic           string
	Alias           string
	Avatar          string
	Heroes          []string
	Encryption      string // megolm algorithm; "" when unencrypted
	IsDirect        bool
	JoinedCount     int
	InvitedCount    int
	NotifyCount     int
	HighlightCount  int
	LastActivityTS  int64
	PrevBatch       string // pagination token before the oldest stored timeline event
	HistoryComplete bool   // the room's creation has been reached by pagination
}

const roomColumns = `room_id, membership, name_sealed, topic_sealed, alias_sealed, avatar_sealed, heroes_sealed,
	encryption, is_direct, joined_count, invited_count, notify_count, highlight_count, last_activity_ts,
	prev_batch_sealed, history_complete`

// SaveRoom writes the whole room row.
func (tx *Tx) SaveRoom(r *Room) error {
	var heroes []byte
	if len(r.Heroes) > 0 {
		heroes, _ = json.Marshal(r.Heroes)
	}
	ad := "|" + r.ID
	var enc any
	if r.Encryption != "" {
		enc = r.Encryption
	}
	_, err := tx.tx.Exec(`INSERT INTO room (`+roomColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (room_id) DO UPDATE SET membership=excluded.membership, name_sealed=excluded.name_sealed,
		topic_sealed=excluded.topic_sealed, alias_sealed=excluded.alias_sealed, avatar_sealed=excluded.avatar_sealed,
		heroes_sealed=excluded.heroes_sealed, encryption=excluded.encryption, is_direct=excluded.is_direct,
		joined_count=excluded.joined_count, invited_count=excluded.invited_count, notify_count=excluded.notify_count,
		highlight_count=excluded.highlight_count, last_activity_ts=excluded.last_activity_ts,
		prev_batch_sealed=excluded.prev_batch_sealed, history_complete=excluded.history_complete`,
		r.ID, r.Membership, tx.sealString(r.Name, "room.name"+ad), tx.sealString(r.Topic, "room.topic"+ad),
		tx.sealString(r.Alias, "room.alias"+ad), tx.sealString(r.Avatar, "room.avatar"+ad),
		tx.seal(heroes, "room.heroes"+ad), enc, r.IsDirect, r.JoinedCount, r.InvitedCount,
		r.NotifyCount, r.HighlightCount, r.LastActivityTS, tx.sealString(r.PrevBatch, "room.prev_batch"+ad),
		r.HistoryComplete)
	if err != nil {
		return fmt.Errorf("failed to save room %s: %w", r.ID, err)
	}
	return nil
}

// Room loads one room; ok is false when it is not stored.
func (tx *Tx) Room(roomID string) (r *Room, ok bool, err error) {
	rows, err := tx.tx.Query(`SELECT `+roomColumns+` FROM room WHERE room_id = ?`, roomID)
	if err != nil {
		return nil, false, fmt.Errorf("failed to load room: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false, rows.Err()
	}
	r, err = tx.scanRoom(rows)
	return r, err == nil, err
}

// RoomOrNew loads a room or returns a new one with the given membership.
func (tx *Tx) RoomOrNew(roomID, membership string) (*Room, error) {
	r, ok, err := tx.Room(roomID)
	if err != nil {
		return nil, err
	}
	if !ok {
		r = &Room{ID: roomID, Membership: membership}
	}
	return r, nil
}

// Rooms lists rooms: invites first, then by last activity, newest first.
func (tx *Tx) Rooms() ([]*Room, error) {
	rows, err := tx.tx.Query(`SELECT ` + roomColumns + ` FROM room
		ORDER BY membership = 'invite' DESC, last_activity_ts DESC, room_id`)
	if err != nil {
		return nil, fmt.Errorf("failed to list rooms: %w", err)
	}
	defer rows.Close()
	var out []*Room
	for rows.Next() {
		r, err := tx.scanRoom(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (tx *Tx) scanRoom(rows *sql.Rows) (*Room, error) {
	var r Room
	var name, topic, alias, avatar, heroes, prev []byte
	var enc sql.NullString
	err := rows.Scan(&r.ID, &r.Membership, &name, &topic, &alias, &avatar, &heroes, &enc, &r.IsDirect,
		&r.JoinedCount, &r.InvitedCount, &r.NotifyCount, &r.HighlightCount, &r.LastActivityTS, &prev, &r.HistoryComplete)
	if err != nil {
		return nil, fmt.Errorf("failed to read room: %w", err)
	}
	r.Encryption = enc.String
	ad := "|" + r.ID
	var errs []error
	var e error
	r.Name, e = tx.openString(name, "room.name"+ad)
	errs = append(errs, e)
	r.Topic, e = tx.openString(topic, "room.topic"+ad)
	errs = append(errs, e)
	r.Alias, e = tx.openString(alias, "room.alias"+ad)
	errs = append(errs, e)
	r.Avatar, e = tx.openString(avatar, "room.avatar"+ad)
	errs = append(errs, e)
	r.PrevBatch, e = tx.openString(prev, "room.prev_batch"+ad)
	errs = append(errs, e)
	h, e := tx.open(heroes, "room.heroes"+ad)
	errs = append(errs, e)
	if len(h) > 0 {
		errs = append(errs, json.Unmarshal(h, &r.Heroes))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("failed to read room %s: %w", r.ID, err)
	}
	return &r, nil
}

// DeleteRoomData removes a room and everything stored for it.
func (tx *Tx) DeleteRoomData(roomID string) error {
	for _, table := range []string{"timeline", "current_state", "member", "receipt", "typing", "account_data", "event", "room",
		"push_count"} {
		if _, err := tx.tx.Exec(`DELETE FROM `+table+` WHERE room_id = ?`, roomID); err != nil {
			return fmt.Errorf("failed to delete %s of room: %w", table, err)
		}
	}
	return nil
}

// SetDirectRooms marks exactly the given rooms as direct chats (from the m.direct account data);
// invites keep the is_direct flag of their invite until joined.
func (tx *Tx) SetDirectRooms(roomIDs []string) error {
	if _, err := tx.tx.Exec(`UPDATE room SET is_direct = 0 WHERE is_direct = 1 AND membership != 'invite'`); err != nil {
		return fmt.Errorf("failed to update direct rooms: %w", err)
	}
	for _, id := range roomIDs {
		if _, err := tx.tx.Exec(`UPDATE room SET is_direct = 1 WHERE room_id = ?`, id); err != nil {
			return fmt.Errorf("failed to update direct rooms: %w", err)
		}
	}
	return nil
}
