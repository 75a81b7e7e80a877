package store

import "fmt"

// relThread is the relation type of thread replies (m.thread).
const relThread = "m.thread"

// ThreadStat is the fold of one thread: the number of its replies (redacted ones left out) and
// the newest of them.
type ThreadStat struct {
	Root   string
	Count  int
	Latest *Event
}

// ThreadStats folds the thread replies (m.thread relations, from the cleartext relation that
// encrypted events carry too) of those of roots that have any, keyed by root. Events of other
// rooms never count.
func (tx *Tx) ThreadStats(roomID string, roots []string) (map[string]*ThreadStat, error) {
	out := map[string]*ThreadStat{}
	var latest []any
	for len(roots) > 0 {
		chunk := roots[:min(len(roots), maxInArgs)]
		roots = roots[len(chunk):]
		args := make([]any, 0, len(chunk)+2)
		args = append(args, roomID)
		for _, r := range chunk {
			args = append(args, r)
		}
		args = append(args, roomID)
		rows, err := tx.tx.Query(`SELECT e.relates_to, COUNT(*), (SELECT l.rowid FROM event l WHERE l.relates_to = e.relates_to
			AND l.rel_type = 'm.thread' AND l.redacted_by IS NULL AND +l.room_id = ? ORDER BY l.ts DESC, l.rowid DESC LIMIT 1)
			FROM event e WHERE e.relates_to IN (`+placeholders(len(chunk))+`) AND e.rel_type = 'm.thread'
			AND e.redacted_by IS NULL AND +e.room_id = ? GROUP BY e.relates_to`, args...)
		if err != nil {
			return nil, fmt.Errorf("failed to count thread replies: %w", err)
		}
		for rows.Next() {
			st := &ThreadStat{}
			var last int64
			if err := rows.Scan(&st.Root, &st.Count, &last); err != nil {
				rows.Close()
				return nil, fmt.Errorf("failed to read thread replies: %w", err)
			}
			out[st.Root] = st
			latest = append(latest, last)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("failed to count thread replies: %w", err)
		}
	}
	for len(latest) > 0 {
		chunk := latest[:min(len(latest), maxInArgs)]
		latest = latest[len(chunk):]
		events, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE rowid IN (`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return nil, fmt.Errorf("failed to load thread replies: %w", err)
		}
		for _, e := range events {
			if st := out[e.RelatesTo]; st != nil {
				st.Latest = e
			}
		}
	}
	return out, nil
}

// ThreadMessages returns the thread of root as a timeline shows it: the root (when stored) and up
// to limit of its newest replies, oldest first; edits, reactions and redactions are left out as
// in TimelineMessages. Redacted replies stay, as redacted messages do in the room's timeline.
func (tx *Tx) ThreadMessages(roomID, root string, limit int) ([]*Event, error) {
	replies, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE relates_to = ? AND rel_type = ?
		AND +room_id = ? AND type NOT IN ('m.room.redaction', 'm.reaction') ORDER BY ts DESC, rowid DESC LIMIT ?`,
		root, relThread, roomID, limit)
	if err != nil {
		return nil, fmt.Errorf("failed to load thread: %w", err)
	}
	for i, j := 0, len(replies)-1; i < j; i, j = i+1, j-1 {
		replies[i], replies[j] = replies[j], replies[i]
	}
	rootEv, err := tx.EventsByIDs(roomID, []string{root})
	if err != nil {
		return nil, err
	}
	return append(rootEv, replies...), nil
}
