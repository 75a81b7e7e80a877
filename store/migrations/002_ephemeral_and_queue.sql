-- v2: receipts, typing, account data, the persistent send queue and the change log.

CREATE TABLE receipt (
    room_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    type      TEXT NOT NULL,
    thread_id TEXT NOT NULL DEFAULT '',
    event_id  TEXT NOT NULL,
    ts        INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id, type, thread_id)
) STRICT;

CREATE TABLE typing (
    room_id  TEXT PRIMARY KEY,
    user_ids TEXT NOT NULL  -- JSON array of user IDs typing right now
) STRICT;

CREATE TABLE account_data (
    room_id        TEXT NOT NULL DEFAULT '', -- '' for global account data
    type           TEXT NOT NULL,
    content_sealed BLOB NOT NULL,
    PRIMARY KEY (room_id, type)
) STRICT;

-- Outgoing messages. The row is written (the local echo) before the request is made; txn_id is
-- reused for every retry so the server deduplicates a resend after a crash.
CREATE TABLE send_queue (
    id             INTEGER PRIMARY KEY,
    room_id        TEXT NOT NULL,
    txn_id         TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    content_sealed BLOB NOT NULL,
    state          TEXT NOT NULL DEFAULT 'queued', -- queued | sent | failed
    event_id       TEXT,
    error          TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_ts     INTEGER NOT NULL,
    updated_ts     INTEGER NOT NULL
) STRICT;
CREATE INDEX send_queue_state_idx ON send_queue (state, id);

-- Typed change events for subscribers; seq lets a late subscriber catch up.
CREATE TABLE change (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind     TEXT NOT NULL,
    room_id  TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL DEFAULT '',
    ts       INTEGER NOT NULL
) STRICT;
