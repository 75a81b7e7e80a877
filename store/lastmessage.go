package store

import (
	"errors"
	"fmt"
	"strings"
)

// LatestMessages returns, in one query for all rooms, up to perRoom of the newest non-state
// timeline events of every joined or invited room, newest first, grouped by room ID. Reactions,
// redaction events and poll responses are left out (they are no "last message"); edits stay in.
func (tx *Tx) LatestMessages(perRoom int) (map[string][]*Event, error) {
	return tx.latestMessages(perRoom, "", nil)
}

// LatestMessagesIn is LatestMessages for the given rooms only (those of them joined or invited),
// in one query per maxInArgs rooms: a room list that knows which rooms changed reads only those.
func (tx *Tx) LatestMessagesIn(roomIDs []string, perRoom int) (map[string][]*Event, error) {
	out := map[string][]*Event{}
	for len(roomIDs) > 0 {
		chunk := roomIDs[:min(len(roomIDs), maxInArgs)]
		roomIDs = roomIDs[len(chunk):]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r
		}
		got, err := tx.latestMessages(perRoom, " AND r.room_id IN ("+placeholders(len(chunk))+")", args)
		if err != nil {
			return nil, err
		}
		for r, events := range got {
			out[r] = events
		}
	}
	return out, nil
}

func (tx *Tx) latestMessages(perRoom int, where string, args []any) (map[string][]*Event, error) {
	events, err := tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM room r
		JOIN timeline t ON t.id IN (SELECT t2.id FROM timeline t2 JOIN event e2 ON e2.rowid = t2.event_rowid
			WHERE t2.room_id = r.room_id AND e2.state_key IS NULL AND e2.type NOT IN ('m.room.redaction', 'm.reaction')
			AND COALESCE(e2.rel_type, '') != 'm.annotation'
			AND COALESCE(e2.decrypted_type, e2.type) NOT IN ('org.matrix.msc3381.poll.response', 'm.poll.response')
			ORDER BY t2.id DESC LIMIT ?)
		JOIN event e ON e.rowid = t.event_rowid
		WHERE r.membership IN ('join', 'invite')`+where+` ORDER BY r.room_id, t.id DESC`, append([]any{perRoom}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("failed to read the latest messages: %w", err)
	}
	out := map[string][]*Event{}
	for _, e := range events {
		out[e.RoomID] = append(out[e.RoomID], e)
	}
	return out, nil
}

// MemberKey names one member row: a user in a room.
type MemberKey struct{ RoomID, UserID string }

// MembersByKey reads the given member rows in one query per maxInArgs/2 keys; unknown ones are
// left out of the result.
func (tx *Tx) MembersByKey(keys []MemberKey) (map[MemberKey]*Member, error) {
	out := make(map[MemberKey]*Member, len(keys))
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), maxInArgs/2)]
		keys = keys[len(chunk):]
		args := make([]any, 0, 2*len(chunk))
		for _, k := range chunk {
			args = append(args, k.RoomID, k.UserID)
		}
		rows, err := tx.tx.Query(`SELECT room_id, user_id, membership, name_sealed, avatar_sealed FROM member
			WHERE (room_id, user_id) IN (VALUES `+strings.TrimSuffix(strings.Repeat("(?,?),", len(chunk)), ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("failed to read members: %w", err)
		}
		for rows.Next() {
			m := &Member{}
			var name, avatar []byte
			if err := rows.Scan(&m.RoomID, &m.UserID, &m.Membership, &name, &avatar); err != nil {
				rows.Close()
				return nil, fmt.Errorf("failed to read members: %w", err)
			}
			ad := "|" + m.RoomID + "|" + m.UserID
			var e1, e2 error
			m.Name, e1 = tx.openString(name, "member.name"+ad)
			m.Avatar, e2 = tx.openString(avatar, "member.avatar"+ad)
			if err := errors.Join(e1, e2); err != nil {
				rows.Close()
				return nil, err
			}
			out[MemberKey{m.RoomID, m.UserID}] = m
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("failed to read members: %w", err)
		}
	}
	return out, nil
}
