package store

import (
	"fmt"
	"slices"
	"strings"
)

// PendingSearchEvents returns up to limit events that are not in the search index yet (new, or
// decrypted or edited since they were indexed), oldest first.
func (tx *Tx) PendingSearchEvents(limit int) ([]*Event, error) {
	return tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE search_state = 0 ORDER BY rowid LIMIT ?`, limit)
}

// CountPendingSearch counts the events that still wait for the search index.
func (tx *Tx) CountPendingSearch() (int, error) {
	var n int
	if err := tx.tx.QueryRow(`SELECT COUNT(*) FROM event WHERE search_state = 0`).Scan(&n); err != nil {
		return 0, fmt.Errorf("failed to count unindexed events: %w", err)
	}
	return n, nil
}

// SetSearchPostings replaces the postings of the event with row ID rowID and timestamp ts by tokens
// (keyed hashes) and marks it indexed.
func (tx *Tx) SetSearchPostings(rowID, ts int64, tokens [][]byte) error {
	if _, err := tx.tx.Exec(`DELETE FROM search_posting WHERE event_rowid = ?`, rowID); err != nil {
		return fmt.Errorf("failed to drop search postings: %w", err)
	}
	for _, t := range tokens {
		if _, err := tx.tx.Exec(`INSERT OR IGNORE INTO search_posting (token, ts, event_rowid) VALUES (?, ?, ?)`, t, ts, rowID); err != nil {
			return fmt.Errorf("failed to add search posting: %w", err)
		}
	}
	return tx.MarkSearchIndexed(rowID)
}

// MarkSearchIndexed marks events as indexed (also those that have nothing to index).
func (tx *Tx) MarkSearchIndexed(rowIDs ...int64) error {
	for _, id := range rowIDs {
		if _, err := tx.tx.Exec(`UPDATE event SET search_state = 1 WHERE rowid = ?`, id); err != nil {
			return fmt.Errorf("failed to mark event indexed: %w", err)
		}
	}
	return nil
}

// SearchCandidates returns up to limit events whose postings contain every one of tokens, newest
// first, skipping the first offset; with roomID set only those of that room. Redacted events never
// count. The caller confirms each candidate against its decrypted text (hashes may collide).
//
// The rarest token's postings are walked newest first (in index order, no sort) and each is checked
// for the other tokens by primary key, so a search reads about as many postings as it returns.
func (tx *Tx) SearchCandidates(tokens [][]byte, roomID string, offset, limit int) ([]*Event, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	tokens, err := tx.rarestFirst(tokens)
	if err != nil {
		return nil, err
	}
	args := []any{tokens[0]}
	var more strings.Builder
	for _, t := range tokens[1:] {
		more.WriteString(` AND EXISTS (SELECT 1 FROM search_posting q WHERE q.token = ? AND q.ts = p.ts AND q.event_rowid = p.event_rowid)`)
		args = append(args, t)
	}
	args = append(args, roomID, roomID, limit, offset)
	rows, err := tx.tx.Query(`SELECT p.event_rowid FROM search_posting p JOIN event e ON e.rowid = p.event_rowid
		WHERE p.token = ?`+more.String()+` AND e.redacted_by IS NULL AND (? = '' OR e.room_id = ?)
		ORDER BY p.ts DESC, p.event_rowid DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to search: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("failed to search: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	events, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE rowid IN (`+placeholders(len(ids))+`)
		ORDER BY ts DESC, rowid DESC`, ids...)
	if err != nil {
		return nil, fmt.Errorf("failed to load search hits: %w", err)
	}
	return events, nil
}

// SearchIndexSize returns the number of postings in the search index.
func (tx *Tx) SearchIndexSize() (postings int, err error) {
	if err := tx.tx.QueryRow(`SELECT COUNT(*) FROM search_posting`).Scan(&postings); err != nil {
		return 0, fmt.Errorf("failed to count search postings: %w", err)
	}
	return postings, nil
}

// rarestFirst orders tokens by how many postings they have (counted up to a bound), fewest first.
func (tx *Tx) rarestFirst(tokens [][]byte) ([][]byte, error) {
	if len(tokens) < 2 {
		return tokens, nil
	}
	counts := make(map[string]int, len(tokens))
	for _, t := range tokens {
		var n int
		err := tx.tx.QueryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM search_posting WHERE token = ? LIMIT 20000)`, t).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("failed to count search postings: %w", err)
		}
		counts[string(t)] = n
	}
	out := slices.Clone(tokens)
	slices.SortStableFunc(out, func(a, b []byte) int { return counts[string(a)] - counts[string(b)] })
	return out, nil
}
