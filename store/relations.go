package store

import (
	"fmt"
	"strings"
)

// maxInArgs bounds the number of parameters of one IN (...) list.
const maxInArgs = 500

// TimelineMessages returns up to limit of the newest timeline events of the room that a timeline
// shows as entries of their own, oldest first: edits (m.replace), reactions (m.annotation),
// redaction events and poll votes (MSC3381 responses, plaintext type) are left out, as they only
// change other entries, and so are thread replies (m.thread), which show in their thread
// (ThreadMessages) and as its summary under the root.
func (tx *Tx) TimelineMessages(roomID string, limit int) ([]*Event, error) {
	events, err := tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM timeline t
		JOIN event e ON e.rowid = t.event_rowid WHERE t.room_id = ?
		AND COALESCE(e.rel_type, '') NOT IN ('m.annotation', 'm.replace', 'm.thread') AND e.type NOT IN ('m.room.redaction', 'm.reaction')
		AND COALESCE(e.decrypted_type, e.type) NOT IN ('org.matrix.msc3381.poll.response', 'm.poll.response')
		ORDER BY t.id DESC LIMIT ?`, roomID, limit)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	return events, nil
}

// RelationsTo lists the events of a room that relate to one of eventIDs with one of relTypes
// (through the indexed relates_to column), leaving out redacted ones; oldest first (by timestamp).
// Events of other rooms never count, even when they name an event of this room.
func (tx *Tx) RelationsTo(roomID string, eventIDs []string, relTypes ...string) ([]*Event, error) {
	var out []*Event
	for len(eventIDs) > 0 {
		chunk := eventIDs[:min(len(eventIDs), maxInArgs)]
		eventIDs = eventIDs[len(chunk):]
		args := make([]any, 0, len(chunk)+len(relTypes)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		for _, rt := range relTypes {
			args = append(args, rt)
		}
		args = append(args, roomID)
		events, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE relates_to IN (`+placeholders(len(chunk))+`)
			AND relates_to IS NOT NULL AND redacted_by IS NULL AND rel_type IN (`+placeholders(len(relTypes))+`)
			AND +room_id = ? ORDER BY ts, rowid`, args...) // +room_id: search by relates_to, never scan the room
		if err != nil {
			return nil, fmt.Errorf("failed to load relations: %w", err)
		}
		out = append(out, events...)
	}
	return out, nil
}

// EventsByIDs loads the stored events of a room among eventIDs (unknown ones and those of other
// rooms are missing from the result).
func (tx *Tx) EventsByIDs(roomID string, eventIDs []string) ([]*Event, error) {
	var out []*Event
	for len(eventIDs) > 0 {
		chunk := eventIDs[:min(len(eventIDs), maxInArgs)]
		eventIDs = eventIDs[len(chunk):]
		args := make([]any, len(chunk), len(chunk)+1)
		for i, id := range chunk {
			args[i] = id
		}
		args = append(args, roomID)
		events, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE event_id IN (`+placeholders(len(chunk))+`)
			AND +room_id = ?`, args...)
		if err != nil {
			return nil, fmt.Errorf("failed to load events: %w", err)
		}
		out = append(out, events...)
	}
	return out, nil
}

// StateEventsByKey lists the current state events of type evType and state key stateKey in all
// rooms with membership join.
func (tx *Tx) StateEventsByKey(evType, stateKey string) ([]*Event, error) {
	return tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM current_state s
		JOIN event e ON e.rowid = s.event_rowid JOIN room r ON r.room_id = s.room_id
		WHERE s.type = ? AND s.state_key = ? AND r.membership = 'join' ORDER BY s.room_id`, evType, stateKey)
}

// StateEventsOfType lists the room's current state events of one type, by state key.
func (tx *Tx) StateEventsOfType(roomID, evType string) ([]*Event, error) {
	return tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM current_state s
		JOIN event e ON e.rowid = s.event_rowid WHERE s.room_id = ? AND s.type = ? ORDER BY s.state_key`, roomID, evType)
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
