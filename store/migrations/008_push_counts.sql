-- v8: events that our own push rule evaluation found notifying, in encrypted rooms where the
-- server cannot read them (session/pushcount.go). A row lives until our read receipt or read
-- marker passes its ts; the room's counts are the number of rows (highlight: those flagged).
CREATE TABLE push_count (
    event_id  TEXT PRIMARY KEY,
    room_id   TEXT NOT NULL,
    ts        INTEGER NOT NULL,
    highlight INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_count_room ON push_count (room_id, ts);
