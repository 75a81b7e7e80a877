package session

// The search index: postings of keyed hashes of normalised words (package search), so that search
// works offline over encrypted history while nothing readable lands on disk.
//
// A posting is HMAC-SHA256(k, word) cut to searchTokenSize bytes, with k derived from the store key
// by HKDF (seal.Sealer.DeriveKey "search-index v1"); k is never stored. What the index reveals to
// someone holding the database without the store key: how many distinct words a message has and
// which messages share a word, never the word itself. A search can only match whole normalised
// words (no prefix or substring search: a hash of "bran" tells nothing about "brand").
//
// Events are indexed after each sync (up to syncIndexBatches batches) and before each search (all),
// in batches, oldest first: new events,
// events decrypted late (SetDecryption resets their state) and, on the first open after the
// upgrade, the whole existing history (resumable: each batch commits on its own). An edit re-indexes
// its target with the newest text; a redaction drops the target's postings (store.RedactEvent);
// retention pruning drops them with the event (ON DELETE CASCADE).

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"slices"
	"strings"

	"bosmessenger/session/search"
	"bosmessenger/store"
)

// searchTokenSize is the stored length of a word's keyed hash (128 bits: collisions are
// negligible, and candidates are confirmed against their decrypted text anyway).
const searchTokenSize = 16

// searchBatch is the number of events indexed per store transaction.
const searchBatch = 500

// searchKeyPurpose names the search subkey of the store key (storage format: changing it makes
// the existing index useless).
const searchKeyPurpose = "search-index v1"

// searchTokens returns the keyed hashes of words under key.
func searchTokens(key []byte, words []string) [][]byte {
	out := make([][]byte, len(words))
	m := hmac.New(sha256.New, key)
	for i, w := range words {
		m.Reset()
		m.Write([]byte(w))
		out[i] = m.Sum(nil)[:searchTokenSize]
	}
	return out
}

// searchableText returns the text a message is found by: its body (the newest edit's by the same
// sender when edited; a file's name; a poll's question and answers through its text fallback),
// without a reply fallback. ok is false for events that are not searched (state, edits, reactions,
// redacted or undecrypted events).
func searchableText(tx *store.Tx, e *store.Event) (text string, ok bool) {
	if e.StateKey != nil || e.RedactedBy != "" || e.Damaged || e.RelType == "m.replace" || e.RelType == "m.annotation" {
		return "", false
	}
	evType, raw := effective(e)
	switch evType {
	case "m.room.message", "m.sticker", "org.matrix.msc3381.poll.start", "m.poll.start":
	default:
		return "", false
	}
	te := viewEvent(e)
	c := parseContent(raw)
	body := te.Body
	if evType == "m.room.message" {
		edits, err := tx.RelationsTo(e.RoomID, []string{e.EventID}, "m.replace")
		if err == nil {
			for _, ed := range edits {
				_, edRaw := effective(ed)
				if ed.Sender != e.Sender || edRaw == nil {
					continue
				}
				if nc := parseContent(parseContent(edRaw).NewContent); nc.Body != "" {
					c, body = nc, nc.Body
				}
			}
		}
	}
	if c.RelatesTo.InReplyTo.EventID != "" {
		body = stripReplyFallback(body)
	}
	if c.FileName != "" && c.FileName != body {
		body += "\n" + c.FileName
	}
	return body, body != ""
}

// stripReplyFallback removes the quoted lines ("> ...") a reply's body starts with.
func stripReplyFallback(body string) string {
	lines := strings.Split(body, "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], ">") {
		i++
	}
	if i == 0 {
		return body
	}
	return strings.TrimLeft(strings.Join(lines[i:], "\n"), "\n")
}

// indexSearchPending indexes the events waiting for the search index, in batches (at most
// maxBatches of them when > 0), and returns how many it handled.
func indexSearchPending(ctx context.Context, db *store.DB, key []byte, maxBatches int) (int, error) {
	total := 0
	for batch := 1; ; batch++ {
		n := 0
		err := db.Tx(ctx, func(tx *store.Tx) error {
			events, err := tx.PendingSearchEvents(searchBatch)
			if err != nil {
				return err
			}
			n = len(events)
			for _, e := range events {
				if err := indexSearchEvent(tx, key, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < searchBatch || ctx.Err() != nil || batch == maxBatches {
			return total, ctx.Err()
		}
	}
}

// indexSearchEvent indexes one event; an edit re-indexes its target instead.
func indexSearchEvent(tx *store.Tx, key []byte, e *store.Event) error {
	if e.RelType == "m.replace" && e.RelatesTo != "" && e.RedactedBy == "" {
		if target, ok, err := tx.EventByID(e.RelatesTo); err != nil {
			return err
		} else if ok && target.RoomID == e.RoomID && target.RedactedBy == "" {
			if err := putSearchPostings(tx, key, target); err != nil {
				return err
			}
		}
		return tx.MarkSearchIndexed(e.RowID)
	}
	return putSearchPostings(tx, key, e)
}

func putSearchPostings(tx *store.Tx, key []byte, e *store.Event) error {
	text, ok := searchableText(tx, e)
	if !ok {
		return tx.SetSearchPostings(e.RowID, e.TS, nil)
	}
	return tx.SetSearchPostings(e.RowID, e.TS, searchTokens(key, search.Words(text)))
}

// searchStore finds the messages containing every word of query: candidates from the index,
// confirmed against their decrypted text, newest first, at most limit.
func searchStore(ctx context.Context, db *store.DB, key []byte, query string, roomID string, limit int) ([]SearchHit, error) {
	words := search.Words(query)
	if len(words) == 0 {
		return nil, ErrEmptySearch
	}
	tokens := searchTokens(key, words)
	var hits []SearchHit
	err := db.Read(ctx, func(tx *store.Tx) error {
		page := max(limit, 50)
		for offset := 0; len(hits) < limit; offset += page {
			events, err := tx.SearchCandidates(tokens, roomID, offset, page)
			if err != nil {
				return err
			}
			for _, e := range events {
				text, ok := searchableText(tx, e)
				if !ok || !containsAll(search.Words(text), words) {
					continue // a hash collision, or postings older than the text
				}
				hits = append(hits, SearchHit{RoomID: e.RoomID, EventID: e.EventID, Sender: e.Sender, TS: e.TS, Body: text})
				if len(hits) == limit {
					break
				}
			}
			if len(events) < page || ctx.Err() != nil {
				return ctx.Err()
			}
		}
		return nil
	})
	return hits, err
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// SearchHit is one message found by Search.
type SearchHit struct {
	RoomID  string `json:"room_id"`
	EventID string `json:"event_id"`
	Sender  string `json:"sender"`
	TS      int64  `json:"ts"` // Unix milliseconds (server time)
	Body    string `json:"body"`
}

// SearchOptions narrow a search.
type SearchOptions struct {
	RoomID string // only this room when set
	Limit  int    // at most this many hits (default 50)
}

// Search finds the stored messages (also encrypted ones, as decrypted) that contain every word of
// text, newest first, across all rooms or in opts.RoomID. Words match after normalising (lower case,
// German stem, umlauts folded: "Brände" finds "Brand"), whole words only. It works offline: it
// first indexes what is not indexed yet, then reads the local index. A text without words gives
// ErrEmptySearch.
func (s *Session) Search(ctx context.Context, text string, opts SearchOptions) ([]SearchHit, error) {
	if opts.Limit <= 0 {
		opts.Limit = 50
	}
	if err := s.indexSearch(ctx, 0); err != nil {
		return nil, err
	}
	return searchStore(ctx, s.db, s.searchKey(), text, opts.RoomID, opts.Limit)
}

// SearchPending returns how many stored events still wait for the search index (the backfill of
// existing history after an upgrade shows here).
func (s *Session) SearchPending(ctx context.Context) (n int, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		n, err = tx.CountPendingSearch()
		return err
	})
	return n, err
}

// syncIndexBatches bounds the indexing after one sync, so that a long backlog (the existing history
// after the upgrade) spreads over several syncs instead of holding up one; Search indexes the rest.
const syncIndexBatches = 4

// indexSearch brings the search index up to date (at most maxBatches batches when > 0).
func (s *Session) indexSearch(ctx context.Context, maxBatches int) error {
	s.searchMu.Lock()
	defer s.searchMu.Unlock()
	n, err := indexSearchPending(ctx, s.db, s.searchKey(), maxBatches)
	if n >= searchBatch {
		s.log.Debug().Int("events", n).Msg("Search index updated")
	}
	return err
}

func (s *Session) searchKey() []byte { return s.sealer.DeriveKey(searchKeyPurpose, 32) }
