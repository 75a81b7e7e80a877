package store

// StateEventsIn returns the current state event (evType, stateKey) of each of the given rooms that
// has one, by room ID, in one query per maxInArgs rooms.
func (tx *Tx) StateEventsIn(evType, stateKey string, roomIDs []string) (map[string]*Event, error) {
	out := make(map[string]*Event, len(roomIDs))
	for len(roomIDs) > 0 {
		chunk := roomIDs[:min(len(roomIDs), maxInArgs)]
		roomIDs = roomIDs[len(chunk):]
		args := []any{evType, stateKey}
		for _, r := range chunk {
			args = append(args, r)
		}
		events, err := tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM current_state s
			JOIN event e ON e.rowid = s.event_rowid
			WHERE s.type = ? AND s.state_key = ? AND s.room_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			out[e.RoomID] = e
		}
	}
	return out, nil
}

// JoinedStateEventsOfType lists the current state events of one type in every joined room, by
// room ID and state key.
func (tx *Tx) JoinedStateEventsOfType(evType string) ([]*Event, error) {
	return tx.queryEvents(`SELECT `+prefixed("e.", eventColumns)+` FROM current_state s
		JOIN event e ON e.rowid = s.event_rowid JOIN room r ON r.room_id = s.room_id
		WHERE s.type = ? AND r.membership = 'join' ORDER BY s.room_id, s.state_key`, evType)
}
