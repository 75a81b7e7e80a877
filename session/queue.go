package session

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// States of a send-queue entry (QueueEntry.State).
const (
	QueueQueued  = "queued"  // waiting to be sent (Error holds the last temporary failure, if any)
	QueueSending = "sending" // an attempt began and has no outcome yet: running now, or cut off (it may have arrived)
	QueueFailed  = "failed"  // refused for good; waits for Retry or Drop
	QueueSent    = "sent"    // accepted by the server, its echo not yet back from sync
)

// QueueEntry is one message of the send queue, as Queue lists it.
type QueueEntry struct {
	ID       string // the local ID: the message's transaction ID
	RoomID   id.RoomID
	Type     string
	State    string // QueueQueued, QueueSending, QueueFailed or QueueSent
	Attempts int
	Error    string // the last failure
	Created  time.Time
	EventID  id.EventID // once sent
	Preview  string     // the start of the body or file name (remote-safe: the caller escapes it for terminals)
}

// previewRunes is the length of QueueEntry.Preview.
const previewRunes = 40

// Queue lists the send queue, oldest first: messages waiting, being sent, failed, and sent ones
// whose echo has not yet come back through sync.
func (s *Session) Queue(ctx context.Context) (out []QueueEntry, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		list, err := tx.AllOutgoing()
		for _, o := range list {
			out = append(out, queueEntry(o))
		}
		return err
	})
	return out, err
}

// QueueEntryByID looks up one entry of the send queue (ErrUnknownQueueEntry if there is none).
func (s *Session) QueueEntryByID(ctx context.Context, txnID string) (e QueueEntry, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		o, ok, err := tx.OutgoingByTxn(txnID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownQueueEntry, txnID)
		}
		e = queueEntry(o)
		return nil
	})
	return e, err
}

func queueEntry(o *store.Outgoing) QueueEntry {
	e := QueueEntry{ID: o.TxnID, RoomID: id.RoomID(o.RoomID), Type: o.Type, State: o.State, Attempts: o.Attempts,
		Error: o.Error, Created: time.UnixMilli(o.CreatedTS), EventID: id.EventID(o.EventID)}
	if o.State == store.SendQueued && o.Attempts > 0 && o.Error == "" {
		e.State = QueueSending
	}
	var c struct {
		Body string `json:"body"`
	}
	if json.Unmarshal(o.Content, &c) == nil {
		e.Preview = c.Body
	}
	if utf8.RuneCountInString(e.Preview) > previewRunes {
		e.Preview = string([]rune(e.Preview)[:previewRunes]) + "…"
	}
	return e
}

// Retry sends a queue entry again: a failed message goes back into the queue, a queued one is
// tried at once (the send loop wakes up). It is the one path for bosctl queue retry and the GUI's
// "Erneut senden"; the change event tells both. ErrUnknownQueueEntry and ErrAlreadySent name
// what cannot be retried.
func (s *Session) Retry(ctx context.Context, txnID string) error {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		o, ok, err := tx.OutgoingByTxn(txnID)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			return fmt.Errorf("%w: %q", ErrUnknownQueueEntry, txnID)
		case o.State == store.SendSent:
			return fmt.Errorf("%w: %s is %s", ErrAlreadySent, txnID, o.EventID)
		case o.State == store.SendFailed:
			if err := tx.Requeue(txnID); err != nil {
				return err
			}
		}
		_, err = tx.AddChange(string(ChangeSendState), o.RoomID, o.TxnID)
		return err
	})
	if err != nil {
		return err
	}
	s.bus.notify()
	return nil
}

// Drop removes a message that the server has not accepted (queued or failed) from the queue, and
// with it its local echo. It waits for a send pass that is running, so a message is never dropped
// while it is on its way. A message the server accepted cannot be dropped (ErrAlreadySent;
// redact it instead). Note that a message whose earlier attempt was cut off (QueueSending) may
// have reached the server all the same.
func (s *Session) Drop(ctx context.Context, txnID string) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	var roomID string
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		o, ok, err := tx.OutgoingByTxn(txnID)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			return fmt.Errorf("%w: %q", ErrUnknownQueueEntry, txnID)
		case o.State == store.SendSent:
			return fmt.Errorf("%w: %s is %s (redact it instead)", ErrAlreadySent, txnID, o.EventID)
		}
		roomID = o.RoomID
		if _, err := tx.DropOutgoing(txnID); err != nil {
			return err
		}
		_, err = tx.AddChange(string(ChangeSendState), o.RoomID, o.TxnID)
		return err
	})
	if err != nil {
		return err
	}
	s.bus.notify()
	s.log.Info().Str("room_id", roomID).Str("txn_id", txnID).Msg("Queued message dropped")
	return nil
}
