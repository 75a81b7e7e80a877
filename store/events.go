package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Event is one stored room event. Content, Unsigned and Decrypted are sealed at rest.
type Event struct {
	RowID            int64
	RoomID           string
	EventID          string
	Sender           string
	Type             string  // wire type (m.room.encrypted for E2EE events)
	StateKey         *string // nil for non-state events
	TS               int64
	Content          json.RawMessage
	Unsigned         json.RawMessage
	DecryptedType    string
	Decrypted        json.RawMessage
	MegolmSessionID  string
	DecryptionError  string // why it could not be decrypted: detail text for the user
	DecryptionReason string // the same as a stable code (crypto.Reason); set exactly when DecryptionError is
	SenderTrust      int    // trust in the sender's device when decrypted (mautrix id.TrustState)
	RelatesTo        string
	RelType          string
	RedactedBy       string
	TxnID            string

	// Damaged: a sealed value of the event did not open (the store was tampered with or corrupted).
	// Content, Unsigned and Decrypted are then empty; the rest is as stored, so the event keeps its
	// place and the others of its room still show.
	Damaged bool
}

const eventColumns = `rowid, room_id, event_id, sender, type, state_key, ts, content_sealed, unsigned_sealed,
	decrypted_type, decrypted_sealed, megolm_session_id, decryption_error, relates_to, rel_type, redacted_by, txn_id,
	sender_trust, decryption_reason`

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// PutEvent stores an event once; a known event ID returns the existing row ID and inserted=false.
func (tx *Tx) PutEvent(e *Event) (rowID int64, inserted bool, err error) {
	ad := "|" + e.EventID
	res, err := tx.tx.Exec(`INSERT INTO event (room_id, event_id, sender, type, state_key, ts, content_sealed,
		unsigned_sealed, decrypted_type, decrypted_sealed, megolm_session_id, decryption_error, relates_to, rel_type,
		redacted_by, txn_id, sender_trust, decryption_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (event_id) DO NOTHING`,
		e.RoomID, e.EventID, e.Sender, e.Type, e.StateKey, e.TS, tx.seal(nonNil(e.Content), "event.content"+ad),
		tx.seal(e.Unsigned, "event.unsigned"+ad), nullable(e.DecryptedType), tx.seal(e.Decrypted, "event.decrypted"+ad),
		nullable(e.MegolmSessionID), nullable(e.DecryptionError), nullable(e.RelatesTo), nullable(e.RelType),
		nullable(e.RedactedBy), nullable(e.TxnID), e.SenderTrust, nullable(e.DecryptionReason))
	if err != nil {
		return 0, false, fmt.Errorf("failed to store event %s: %w", e.EventID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		rowID, err = res.LastInsertId()
		e.RowID = rowID
		return rowID, true, err
	}
	err = tx.tx.QueryRow(`SELECT rowid FROM event WHERE event_id = ?`, e.EventID).Scan(&rowID)
	if err != nil {
		return 0, false, fmt.Errorf("failed to find event %s: %w", e.EventID, err)
	}
	e.RowID = rowID
	return rowID, false, nil
}

func nonNil(b json.RawMessage) json.RawMessage {
	if b == nil {
		return json.RawMessage("{}")
	}
	return b
}

// EventByID loads an event; ok is false when unknown.
func (tx *Tx) EventByID(eventID string) (e *Event, ok bool, err error) {
	rows, err := tx.tx.Query(`SELECT `+eventColumns+` FROM event WHERE event_id = ?`, eventID)
	if err != nil {
		return nil, false, fmt.Errorf("failed to load event: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false, rows.Err()
	}
	e, err = tx.scanEvent(rows)
	return e, err == nil, err
}

// RedactEvent replaces an event's content with its redacted form and records the redaction.
func (tx *Tx) RedactEvent(eventID, redactedBy string, redactedContent json.RawMessage) error {
	ad := "|" + eventID
	_, err := tx.tx.Exec(`UPDATE event SET content_sealed = ?, decrypted_sealed = NULL, decrypted_type = NULL,
		redacted_by = ?, search_state = 1 WHERE event_id = ?`, tx.seal(nonNil(redactedContent), "event.content"+ad), redactedBy, eventID)
	if err != nil {
		return fmt.Errorf("failed to redact event: %w", err)
	}
	// A redacted message leaves the search index.
	_, err = tx.tx.Exec(`DELETE FROM search_posting WHERE event_rowid = (SELECT rowid FROM event WHERE event_id = ?)`, eventID)
	if err != nil {
		return fmt.Errorf("failed to drop search postings: %w", err)
	}
	return nil
}

// SetDecryption records the outcome of decrypting an event: the plaintext type and content, or an
// error (its detail text and reason code).
func (tx *Tx) SetDecryption(eventID, sessionID, decryptedType string, decrypted json.RawMessage, decryptErr, reason string, senderTrust int) error {
	ad := "|" + eventID
	_, err := tx.tx.Exec(`UPDATE event SET megolm_session_id = ?, decrypted_type = ?, decrypted_sealed = ?,
		decryption_error = ?, decryption_reason = ?, sender_trust = ?, search_state = 0 WHERE event_id = ?`, nullable(sessionID),
		nullable(decryptedType), tx.seal(decrypted, "event.decrypted"+ad), nullable(decryptErr), nullable(reason),
		senderTrust, eventID)
	if err != nil {
		return fmt.Errorf("failed to store decryption of %s: %w", eventID, err)
	}
	return nil
}

// SetRelation records the relation of an event found in its plaintext (its cleartext had none).
func (tx *Tx) SetRelation(eventID, relType, relatesTo string) error {
	_, err := tx.tx.Exec(`UPDATE event SET rel_type = ?, relates_to = ? WHERE event_id = ?`, nullable(relType), nullable(relatesTo), eventID)
	if err != nil {
		return fmt.Errorf("failed to store relation of %s: %w", eventID, err)
	}
	return nil
}

// scanEvent reads the eventColumns of a row; extra receives the columns selected after them.
func (tx *Tx) scanEvent(rows *sql.Rows, extra ...any) (*Event, error) {
	var e Event
	var stateKey, decType, session, decErr, relTo, relType, redBy, txnID, reason sql.NullString
	var content, unsigned, decrypted []byte
	err := rows.Scan(append([]any{&e.RowID, &e.RoomID, &e.EventID, &e.Sender, &e.Type, &stateKey, &e.TS, &content, &unsigned,
		&decType, &decrypted, &session, &decErr, &relTo, &relType, &redBy, &txnID, &e.SenderTrust, &reason}, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("failed to read event: %w", err)
	}
	if stateKey.Valid {
		e.StateKey = &stateKey.String
	}
	e.DecryptedType, e.MegolmSessionID, e.DecryptionError = decType.String, session.String, decErr.String
	e.DecryptionReason = reason.String
	e.RelatesTo, e.RelType, e.RedactedBy, e.TxnID = relTo.String, relType.String, redBy.String, txnID.String
	ad := "|" + e.EventID
	var e1, e2, e3 error
	e.Content, e1 = tx.open(content, "event.content"+ad)
	e.Unsigned, e2 = tx.open(unsigned, "event.unsigned"+ad)
	e.Decrypted, e3 = tx.open(decrypted, "event.decrypted"+ad)
	if errors.Join(e1, e2, e3) != nil {
		e.Damaged = true
		e.Content, e.Unsigned, e.Decrypted, e.DecryptedType = nil, nil, nil, ""
	}
	return &e, nil
}

func (tx *Tx) queryEvents(query string, args ...any) ([]*Event, error) {
	rows, err := tx.tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to query events: %w", err)
	}
	defer rows.Close()
	var out []*Event
	for rows.Next() {
		e, err := tx.scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventByTxn finds our own event that was sent with transaction ID txnID; ok is false when unknown.
func (tx *Tx) EventByTxn(txnID string) (*Event, bool, error) {
	events, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE txn_id = ? LIMIT 1`, txnID)
	if err != nil || len(events) == 0 {
		return nil, false, err
	}
	return events[0], true, nil
}

// UndecryptedEvents lists encrypted events without plaintext, newest first, up to limit; with
// sessionID set only those of that megolm session.
func (tx *Tx) UndecryptedEvents(sessionID string, limit int) ([]*Event, error) {
	list, err := tx.queryEvents(`SELECT `+eventColumns+` FROM event WHERE type = 'm.room.encrypted'
		AND decrypted_sealed IS NULL AND redacted_by IS NULL AND (? = '' OR megolm_session_id = ?)
		ORDER BY rowid DESC LIMIT ?`, sessionID, sessionID, limit)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, e := range list {
		if !e.Damaged { // nothing to decrypt
			out = append(out, e)
		}
	}
	return out, nil
}
