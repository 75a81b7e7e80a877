package store

import (
	"fmt"
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

// SetSearchPostings replaces the postings of the event with row ID rowID by tokens (keyed hashes)
// and marks it indexed.
func (tx *Tx) SetSearchPostings(rowID int64, tokens [][]byte) error {
	if _, err := tx.tx.Exec(`DELETE FROM search_posting WHERE event_rowid = ?`, rowID); err != nil {
		return fmt.Errorf("failed to drop search postings: %w", err)
	}
	for _, t := range tokens {
		if _, err := tx.tx.Exec(`INSERT OR IGNORE INTO search_posting (token, event_rowid) VALUES (?, ?)`, t, rowID); err != nil {
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
func (tx *Tx) SearchCandidates(tokens [][]byte, roomID string, offset, limit int) ([]*Event, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	parts := make([]string, len(tokens))
	args := make([]any, 0, len(tokens)+4)
	for i, t := range tokens {
		parts[i] = `SELECT event_rowid FROM search_posting WHERE token = ?`
		args = append(args, t)
	}
	args = append(args, roomID, roomID, limit, offset)
	events, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE rowid IN (`+strings.Join(parts, " INTERSECT ")+`)
		AND redacted_by IS NULL AND (? = '' OR room_id = ?) ORDER BY ts DESC, rowid DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to search: %w", err)
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
