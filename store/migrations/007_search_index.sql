-- v7: the search index. Postings pair a keyed hash of a normalised word (HMAC-SHA256 under a
-- subkey of the store key, truncated; see session/searchindex.go) with the event that contains it,
-- so nothing readable is stored. ts (the event's) orders a word's postings newest first, so a search
-- reads only as many postings as it shows. search_state on event: 0 not indexed yet (new, or decrypted or
-- edited since), 1 indexed. Existing messages start at 0 and are indexed in batches on open.
CREATE TABLE search_posting (
    token       BLOB NOT NULL,
    ts          INTEGER NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES event (rowid) ON DELETE CASCADE,
    PRIMARY KEY (token, ts, event_rowid)
) STRICT, WITHOUT ROWID;
CREATE INDEX search_posting_event_idx ON search_posting (event_rowid);

ALTER TABLE event ADD COLUMN search_state INTEGER NOT NULL DEFAULT 0;
UPDATE event SET search_state = 1 WHERE state_key IS NOT NULL OR redacted_by IS NOT NULL;
CREATE INDEX event_search_pending_idx ON event (rowid) WHERE search_state = 0;
