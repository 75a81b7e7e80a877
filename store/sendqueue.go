package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Send states of an outgoing message.
const (
	SendQueued = "queued"
	SendSent   = "sent"
	SendFailed = "failed"
)

// Outgoing is a queued outgoing event (the local echo).
type Outgoing struct {
	ID        int64
	RoomID    string
	TxnID     string
	Type      string
	Content   json.RawMessage
	State     string
	EventID   string
	Error     string
	Attempts  int
	CreatedTS int64
	UpdatedTS int64 // time of the last state change or attempt
}

// Enqueue writes an outgoing event; its transaction ID is fixed from now on.
func (tx *Tx) Enqueue(o *Outgoing) error {
	now := time.Now().UnixMilli()
	if o.CreatedTS == 0 {
		o.CreatedTS = now
	}
	o.State = SendQueued
	res, err := tx.tx.Exec(`INSERT INTO send_queue (room_id, txn_id, type, content_sealed, state, created_ts, updated_ts)
		VALUES (?,?,?,?,?,?,?)`, o.RoomID, o.TxnID, o.Type, tx.seal(nonNil(o.Content), "send_queue|"+o.TxnID),
		o.State, o.CreatedTS, now)
	if err != nil {
		return fmt.Errorf("failed to queue message: %w", err)
	}
	o.ID, err = res.LastInsertId()
	return err
}

const outgoingColumns = `id, room_id, txn_id, type, content_sealed, state, event_id, error, attempts, created_ts, updated_ts`

func (tx *Tx) queryOutgoing(query string, args ...any) ([]*Outgoing, error) {
	rows, err := tx.tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to read send queue: %w", err)
	}
	defer rows.Close()
	var out []*Outgoing
	for rows.Next() {
		o := &Outgoing{}
		var content []byte
		var eventID, errText sql.NullString
		if err := rows.Scan(&o.ID, &o.RoomID, &o.TxnID, &o.Type, &content, &o.State, &eventID, &errText,
			&o.Attempts, &o.CreatedTS, &o.UpdatedTS); err != nil {
			return nil, err
		}
		o.EventID, o.Error = eventID.String, errText.String
		if o.Content, err = tx.open(content, "send_queue|"+o.TxnID); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// PendingOutgoing lists queued (not yet accepted) events, oldest first.
func (tx *Tx) PendingOutgoing() ([]*Outgoing, error) {
	return tx.queryOutgoing(`SELECT `+outgoingColumns+` FROM send_queue WHERE state = ? ORDER BY id`, SendQueued)
}

// OutgoingInRoom lists the room's outgoing events that are not yet part of the synced timeline
// (queued or failed, and sent ones not yet seen in sync), oldest first.
func (tx *Tx) OutgoingInRoom(roomID string) ([]*Outgoing, error) {
	return tx.queryOutgoing(`SELECT `+outgoingColumns+` FROM send_queue WHERE room_id = ? ORDER BY id`, roomID)
}

// OutgoingByTxn loads one outgoing event; ok is false when unknown.
func (tx *Tx) OutgoingByTxn(txnID string) (*Outgoing, bool, error) {
	list, err := tx.queryOutgoing(`SELECT `+outgoingColumns+` FROM send_queue WHERE txn_id = ?`, txnID)
	if err != nil || len(list) == 0 {
		return nil, false, err
	}
	return list[0], true, nil
}

// MarkSent records that the server accepted the outgoing event.
func (tx *Tx) MarkSent(txnID, eventID string) error {
	_, err := tx.tx.Exec(`UPDATE send_queue SET state = ?, event_id = ?, error = NULL, updated_ts = ? WHERE txn_id = ?`,
		SendSent, eventID, time.Now().UnixMilli(), txnID)
	if err != nil {
		return fmt.Errorf("failed to mark message sent: %w", err)
	}
	return nil
}

// BeginAttempt records, before a request is made, that the outgoing event is being sent: after a
// crash the next process knows an attempt may have reached the server.
func (tx *Tx) BeginAttempt(txnID string) error {
	_, err := tx.tx.Exec(`UPDATE send_queue SET attempts = attempts + 1, error = NULL, updated_ts = ?
		WHERE txn_id = ? AND state = ?`, time.Now().UnixMilli(), txnID, SendQueued)
	if err != nil {
		return fmt.Errorf("failed to record send attempt: %w", err)
	}
	return nil
}

// MarkAttempt records the error of a failed attempt; permanent failures move the event to the
// failed state.
func (tx *Tx) MarkAttempt(txnID, errText string, permanent bool) error {
	state := SendQueued
	if permanent {
		state = SendFailed
	}
	_, err := tx.tx.Exec(`UPDATE send_queue SET state = ?, error = ?, updated_ts = ?
		WHERE txn_id = ? AND state != ?`, state, errText, time.Now().UnixMilli(), txnID, SendSent)
	if err != nil {
		return fmt.Errorf("failed to record send attempt: %w", err)
	}
	return nil
}

// DeleteSentOutgoing removes the room's outgoing events the server has accepted: after a gap in the
// timeline their echoes may never come through sync (history brings them back instead).
func (tx *Tx) DeleteSentOutgoing(roomID string) error {
	_, err := tx.tx.Exec(`DELETE FROM send_queue WHERE room_id = ? AND state = ?`, roomID, SendSent)
	if err != nil {
		return fmt.Errorf("failed to clear sent messages: %w", err)
	}
	return nil
}

// Requeue puts a failed event back into the queue (user pressed retry). Its error stays as the
// last failure until the next attempt begins.
func (tx *Tx) Requeue(txnID string) error {
	res, err := tx.tx.Exec(`UPDATE send_queue SET state = ?, updated_ts = ? WHERE txn_id = ? AND state = ?`,
		SendQueued, time.Now().UnixMilli(), txnID, SendFailed)
	if err != nil {
		return fmt.Errorf("failed to requeue message: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errors.New("failed to requeue message: not a failed message")
	}
	return nil
}

// DeleteOutgoing removes an outgoing event once its real event has arrived through sync.
func (tx *Tx) DeleteOutgoing(txnID string) (removed bool, err error) {
	res, err := tx.tx.Exec(`DELETE FROM send_queue WHERE txn_id = ?`, txnID)
	if err != nil {
		return false, fmt.Errorf("failed to remove sent message from queue: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// AllOutgoing lists every outgoing event (queued, failed, and sent but not yet back from sync),
// oldest first.
func (tx *Tx) AllOutgoing() ([]*Outgoing, error) {
	return tx.queryOutgoing(`SELECT ` + outgoingColumns + ` FROM send_queue ORDER BY id`)
}

// DropOutgoing removes an outgoing event the server has not accepted (queued or failed), and with
// it the local echo. It reports false when there is no such event in one of these states.
func (tx *Tx) DropOutgoing(txnID string) (bool, error) {
	res, err := tx.tx.Exec(`DELETE FROM send_queue WHERE txn_id = ? AND state != ?`, txnID, SendSent)
	if err != nil {
		return false, fmt.Errorf("failed to drop queued message: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
