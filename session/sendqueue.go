package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// newTxnID makes a transaction ID that is unique for this device.
func newTxnID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("bos%d.%s", time.Now().UnixMilli(), hex.EncodeToString(b))
}

// sendText queues a plain-text message and returns its transaction ID. The message (the local echo)
// is in the store before anything goes to the server; FlushQueue or Run send it.
func (s *Session) sendText(ctx context.Context, roomID id.RoomID, body string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.room.message", &event.MessageEventContent{MsgType: event.MsgText, Body: body})
}

// Enqueue queues an event of any type for sending.
func (s *Session) Enqueue(ctx context.Context, roomID id.RoomID, evType string, content any) (string, error) {
	if err := s.checkDeviceGate(); err != nil {
		return "", err
	}
	if err := s.checkPolicy(ctx, "send to "+roomID.String(), PolicyRequest{Action: ActionSend, RoomID: roomID.String()}); err != nil {
		return "", err
	}
	raw, err := json.Marshal(content)
	if err != nil {
		return "", fmt.Errorf("failed to encode message: %w", err)
	}
	o := &store.Outgoing{RoomID: roomID.String(), TxnID: newTxnID(), Type: evType, Content: raw}
	err = s.db.Tx(ctx, func(tx *store.Tx) error { return s.enqueueTx(tx, o) })
	if err != nil {
		return "", err
	}
	s.bus.notify()
	return o.TxnID, nil
}

// enqueueTx queues o inside a store transaction (the caller checked the policy and notifies the
// bus after the commit).
func (s *Session) enqueueTx(tx *store.Tx, o *store.Outgoing) error {
	room, ok, err := tx.Room(o.RoomID)
	if err != nil {
		return err
	}
	if !ok || room.Membership != "join" {
		return fmt.Errorf("%w: %s (not joined)", ErrUnknownRoom, o.RoomID)
	}
	if room.Encryption != "" && s.e2ee == nil {
		return fmt.Errorf("%w: %s is end-to-end encrypted and encryption is not available; nothing was sent", ErrCannotEncrypt, o.RoomID)
	}
	if err := tx.Enqueue(o); err != nil {
		return err
	}
	_, err = tx.AddChange(string(ChangeSendState), o.RoomID, o.TxnID)
	return err
}

// FlushQueue makes one pass over the queued messages in order. A temporary failure stops the pass
// (the message stays queued with its transaction ID for the next pass); a permanent one marks the
// message failed and goes on.
func (s *Session) FlushQueue(ctx context.Context) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	pending, err := s.pendingOutgoing(ctx)
	if err != nil {
		return err
	}
	if retry := lastAttempt(pending); !retry.IsZero() {
		// An earlier attempt may have reached the server without its answer reaching us (the process
		// died, the connection broke, a timeout). The transaction ID does not always prevent a
		// duplicate: Dendrite stores the event of a request the client abandoned midway without
		// remembering its transaction ID. So before resending, give the server a moment to publish
		// the event, then sync: messages whose own echo came back are removed from the queue.
		if wait := time.Until(retry.Add(echoGrace)); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		if _, err := s.SyncOnce(ctx, 0); err != nil {
			return err
		}
		if pending, err = s.pendingOutgoing(ctx); err != nil {
			return err
		}
	}
	for _, o := range pending {
		// Record the attempt (with no error yet) before making it, so that it is known even if this
		// process dies during it.
		if err := s.db.Tx(ctx, func(tx *store.Tx) error { return tx.BeginAttempt(o.TxnID) }); err != nil {
			return err
		}
		eventID, err := s.sendOne(ctx, o)
		err = s.recordAttempt(ctx, o, eventID, err)
		if err != nil && !isPermanent(err) {
			return err
		}
	}
	return nil
}

// echoGrace is how long after an uncertain attempt the queue waits before it checks the sync
// stream for the message's echo (Dendrite publishes events to sync asynchronously).
const echoGrace = 1500 * time.Millisecond

// lastAttempt is the time of the newest earlier attempt among the pending messages (zero if none).
func lastAttempt(pending []*store.Outgoing) time.Time {
	var last int64
	for _, o := range pending {
		if o.Attempts > 0 && o.UpdatedTS > last {
			last = o.UpdatedTS
		}
	}
	if last == 0 {
		return time.Time{}
	}
	return time.UnixMilli(last)
}

func (s *Session) pendingOutgoing(ctx context.Context) (pending []*store.Outgoing, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		pending, err = tx.PendingOutgoing()
		return err
	})
	return pending, err
}

func (s *Session) sendOne(ctx context.Context, o *store.Outgoing) (string, error) {
	if err := s.checkDeviceGate(); err != nil {
		return "", err
	}
	if err := s.checkPolicy(ctx, "send to "+o.RoomID, PolicyRequest{Action: ActionSend, RoomID: o.RoomID, queued: true}); err != nil {
		return "", err
	}
	evType, content, err := s.encryptIfNeeded(ctx, o)
	if err != nil {
		return "", err
	}
	var resp mautrix.RespSendEvent
	_, err = s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
		Method:       http.MethodPut,
		URL:          s.cli.BuildClientURL("v3", "rooms", o.RoomID, "send", evType, o.TxnID),
		RequestJSON:  content,
		ResponseJSON: &resp,
		MaxAttempts:  1,
	})
	if err != nil {
		return "", s.classify("send message", err)
	}
	if resp.EventID == "" {
		return "", errors.New("failed to send message: no event_id in response")
	}
	return resp.EventID.String(), nil
}

func (s *Session) recordAttempt(ctx context.Context, o *store.Outgoing, eventID string, sendErr error) error {
	s.rememberSendError(o.TxnID, sendErr)
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if sendErr == nil {
			err = tx.MarkSent(o.TxnID, eventID)
		} else {
			err = tx.MarkAttempt(o.TxnID, sendErr.Error(), isPermanent(sendErr))
		}
		if err != nil {
			return err
		}
		_, err = tx.AddChange(string(ChangeSendState), o.RoomID, o.TxnID)
		return err
	})
	s.bus.notify()
	if sendErr != nil {
		s.log.Warn().Str("room_id", o.RoomID).Str("txn_id", o.TxnID).Err(sendErr).Msg("Sending failed")
		return sendErr
	}
	return err
}

// SendState is where an outgoing message stands.
type SendState struct {
	State   string // queued, sent, failed
	EventID id.EventID
	Error   string
}

// SendStateOf looks up an outgoing message by transaction ID. Once its event has come back through
// sync the queue entry is gone and the event is found in the timeline instead.
func (s *Session) SendStateOf(ctx context.Context, txnID string) (st SendState, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		o, ok, err := tx.OutgoingByTxn(txnID)
		if err != nil {
			return err
		}
		if ok {
			st = SendState{State: o.State, EventID: id.EventID(o.EventID), Error: o.Error}
			return nil
		}
		ev, ok, err := tx.EventByTxn(txnID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("unknown outgoing message %s", txnID)
		}
		st = SendState{State: store.SendSent, EventID: id.EventID(ev.EventID)}
		return nil
	})
	return st, err
}

// WaitSent sends the queue until the message txnID is accepted by the server (returning its event
// ID) or has failed permanently, backing off between attempts.
func (s *Session) WaitSent(ctx context.Context, txnID string) (id.EventID, error) {
	backoff := s.cfg.MinBackoff
	for {
		flushErr := s.FlushQueue(ctx)
		st, err := s.SendStateOf(ctx, txnID)
		if err != nil {
			return "", err
		}
		switch st.State {
		case store.SendSent:
			return st.EventID, nil
		case store.SendFailed:
			return "", s.sendFailure(txnID, st.Error)
		}
		s.log.Debug().Err(flushErr).Dur("backoff", backoff).Msg("Message still queued")
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("message still queued (will be sent later): %w", ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, s.cfg.MaxBackoff)
	}
}

// outgoing lists the room's messages that are queued, failed, or sent but not yet back from sync.
func (s *Session) outgoing(ctx context.Context, roomID id.RoomID) (out []*store.Outgoing, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.OutgoingInRoom(roomID.String())
		return err
	})
	return out, err
}

// encryptIfNeeded encrypts an outgoing event for an encrypted room. Nothing is ever sent in
// plaintext into an encrypted room: if encryption fails, so does the send (and the message stays
// in the queue, marked failed, for a retry).
func (s *Session) encryptIfNeeded(ctx context.Context, o *store.Outgoing) (string, json.RawMessage, error) {
	var encrypted bool
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(o.RoomID)
		encrypted = ok && room.Encryption != ""
		return err
	})
	if err != nil {
		return "", nil, err
	}
	if !encrypted || o.Type == "m.reaction" {
		// Reactions stay unencrypted so servers can aggregate them (as Element and matrix-js-sdk do).
		return o.Type, o.Content, nil
	}
	if s.e2ee == nil {
		return "", nil, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	content, err := s.e2ee.Encrypt(ctx, id.RoomID(o.RoomID), o.Type, o.Content, func(ctx context.Context) ([]id.UserID, error) {
		return s.keyRecipients(ctx, id.RoomID(o.RoomID))
	})
	if err != nil {
		var httpErr mautrix.HTTPError
		var urlErr *url.Error
		if errors.As(err, &httpErr) || errors.As(err, &urlErr) {
			// The server could not be asked (members, device keys, key sharing): try again later.
			return "", nil, s.classify("prepare encryption", err)
		}
		return "", nil, fmt.Errorf("%w: %v", ErrCannotEncrypt, err)
	}
	return "m.room.encrypted", content, nil
}

// keyRecipients lists the users whose devices get the room key: joined and invited members, as
// the server knows them (the synced member list is lazy-loaded), minus those the policy refuses.
func (s *Session) keyRecipients(ctx context.Context, roomID id.RoomID) ([]id.UserID, error) {
	resp, err := s.cli.Members(ctx, roomID)
	if err != nil {
		return nil, s.classify("load room members", err)
	}
	var users []id.UserID
	for _, evt := range resp.Chunk {
		_ = evt.Content.ParseRaw(evt.Type)
		m := evt.Content.AsMember()
		if evt.StateKey == nil || (m.Membership != "join" && m.Membership != "invite") {
			continue
		}
		user := id.UserID(*evt.StateKey)
		err := s.checkPolicy(ctx, "share the room key with "+user.String(), PolicyRequest{Action: ActionShareKeys,
			RoomID: roomID.String(), Target: user.String()})
		if err != nil {
			s.log.Info().Str("room_id", roomID.String()).Str("user_id", user.String()).Err(err).Msg("Policy keeps room key from user")
			continue
		}
		users = append(users, user)
	}
	return users, nil
}
