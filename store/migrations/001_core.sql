-- v1: account secrets, rooms, events (E2EE-ready), timeline order, current state, members.
-- Columns named *_sealed hold values sealed by store/seal (AEAD); they never hold plaintext.

CREATE TABLE kv (
    key    TEXT PRIMARY KEY,
    value  BLOB NOT NULL
) STRICT;

CREATE TABLE room (
    room_id           TEXT PRIMARY KEY,
    membership        TEXT NOT NULL DEFAULT 'join',
    name_sealed       BLOB,
    topic_sealed      BLOB,
    alias_sealed      BLOB,
    avatar_sealed     BLOB,
    heroes_sealed     BLOB,
    encryption        TEXT,            -- algorithm from m.room.encryption, NULL when not encrypted
    is_direct         INTEGER NOT NULL DEFAULT 0,
    joined_count      INTEGER NOT NULL DEFAULT 0,
    invited_count     INTEGER NOT NULL DEFAULT 0,
    notify_count      INTEGER NOT NULL DEFAULT 0,
    highlight_count   INTEGER NOT NULL DEFAULT 0,
    last_activity_ts  INTEGER NOT NULL DEFAULT 0,
    prev_batch_sealed BLOB,            -- token to paginate back from the oldest stored timeline event
    history_complete  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX room_activity_idx ON room (last_activity_ts DESC);

CREATE TABLE event (
    rowid              INTEGER PRIMARY KEY,
    room_id            TEXT NOT NULL,
    event_id           TEXT NOT NULL UNIQUE,
    sender             TEXT NOT NULL,
    type               TEXT NOT NULL,   -- as sent on the wire (m.room.encrypted for E2EE)
    state_key          TEXT,
    ts                 INTEGER NOT NULL,
    content_sealed     BLOB NOT NULL,   -- raw content as received
    unsigned_sealed    BLOB,
    decrypted_type     TEXT,            -- type of the plaintext event, once decrypted
    decrypted_sealed   BLOB,            -- decrypted content
    megolm_session_id  TEXT,            -- for re-decryption when the session arrives
    decryption_error   TEXT,
    relates_to         TEXT,
    rel_type           TEXT,
    redacted_by        TEXT,
    txn_id             TEXT
) STRICT;
CREATE INDEX event_room_idx ON event (room_id, ts);
CREATE INDEX event_session_idx ON event (megolm_session_id) WHERE megolm_session_id IS NOT NULL;
CREATE INDEX event_relates_idx ON event (relates_to) WHERE relates_to IS NOT NULL;

CREATE TABLE timeline (
    id          INTEGER PRIMARY KEY, -- order within a room; backfilled events get smaller (even negative) ids
    room_id     TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES event (rowid) ON DELETE CASCADE,
    UNIQUE (room_id, event_rowid)
) STRICT;
CREATE INDEX timeline_room_idx ON timeline (room_id, id);

CREATE TABLE current_state (
    room_id     TEXT NOT NULL,
    type        TEXT NOT NULL,
    state_key   TEXT NOT NULL,
    event_rowid INTEGER NOT NULL REFERENCES event (rowid) ON DELETE CASCADE,
    PRIMARY KEY (room_id, type, state_key)
) STRICT;

CREATE TABLE member (
    room_id       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    membership    TEXT NOT NULL,
    name_sealed   BLOB,
    avatar_sealed BLOB,
    PRIMARY KEY (room_id, user_id)
) STRICT;
