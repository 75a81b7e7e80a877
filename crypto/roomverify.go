package crypto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/util/jsontime"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/verificationhelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// In-room verification (the way Element verifies other users): the request is an m.room.message
// with msgtype m.key.verification.request in a room both users are in (usually their DM), its
// transaction ID is the request's event ID, and the other steps are room events of the types
// m.key.verification.* that refer to the request with an m.reference relation. In an encrypted
// room ours are encrypted (matrix-js-sdk sends its own in plaintext; both are accepted).
//
// Only SAS is offered in rooms: QR codes are left out of our requests and of the methods we
// accept from the other side.

// RoomVerificationMaxAge: in-room verification events older than this are ignored, as are those
// of history (backfill, re-decryption): only live timeline events are handed to the machine.
const RoomVerificationMaxAge = 10 * time.Minute

// roomVerificationMaxSkew: events dated this far in the future are ignored too.
const roomVerificationMaxSkew = 5 * time.Minute

// RoomEvent is a live timeline event that takes part in in-room verification, decrypted if it
// was encrypted.
type RoomEvent struct {
	RoomID    id.RoomID
	EventID   id.EventID
	Sender    id.UserID
	Timestamp int64 // origin_server_ts, milliseconds
	Type      string
	Content   json.RawMessage
}

// IsRoomVerificationEvent reports whether a room event (its plaintext type and content) belongs
// to in-room verification: a m.key.verification.* event or a verification request message.
func IsRoomVerificationEvent(evType string, content json.RawMessage) bool {
	switch {
	case len(evType) > len("m.key.verification.") && evType[:len("m.key.verification.")] == "m.key.verification.":
		return evType != event.ToDeviceVerificationRequest.Type // a request is a message in rooms
	case evType != event.EventMessage.Type || !bytes.Contains(content, []byte(event.MsgVerificationRequest)):
		return false
	}
	var c struct {
		MsgType event.MessageType `json:"msgtype"`
	}
	return json.Unmarshal(content, &c) == nil && c.MsgType == event.MsgVerificationRequest
}

// SetRoomKeyRecipients sets how the users are found whose devices get the room key when an
// in-room verification event needs a new megolm session (as for any message: joined and invited
// members the policy allows).
func (m *Machine) SetRoomKeyRecipients(fn func(context.Context, id.RoomID) ([]id.UserID, error)) {
	m.recipientsMu.Lock()
	m.recipients = fn
	m.recipientsMu.Unlock()
}

func (m *Machine) roomKeyRecipients() func(context.Context, id.RoomID) ([]id.UserID, error) {
	m.recipientsMu.Lock()
	defer m.recipientsMu.Unlock()
	return m.recipients
}

// StartRoomVerification asks userID to verify with us in roomID (SAS). The request and all
// later steps are room events, encrypted in an encrypted room. Once one of the other user's
// devices accepted, we start SAS.
func (m *Machine) StartRoomVerification(ctx context.Context, roomID id.RoomID, userID id.UserID) (_ Verification, err error) {
	defer recoverAs(&err)
	v, err := m.verifierOrErr()
	if err != nil {
		return Verification{}, err
	}
	me := m.mach.Client.UserID
	if userID == me {
		return Verification{}, errors.New("failed to start verification: in-room verification is for other users (verify own devices with StartVerification)")
	}
	if _, err := m.fetchKeys(ctx, []id.UserID{userID}); err != nil {
		return Verification{}, fmt.Errorf("failed to fetch devices of %s: %w", userID, err)
	}
	content := &event.MessageEventContent{
		MsgType: event.MsgVerificationRequest,
		Body: fmt.Sprintf("%s is requesting to verify your key, but your client does not support in-chat key verification. "+
			"You will need to use legacy key verification to verify keys.", me),
		FromDevice: m.mach.Client.DeviceID,
		Methods:    []event.VerificationMethod{event.VerificationMethodSAS},
		To:         userID,
	}
	// One step on the actor: the answer (ready) is handled only once the request is known to the
	// helper.
	var out Verification
	err = v.call(ctx, func(ctx context.Context) error {
		var err error
		out, err = m.sendRoomVerificationRequest(ctx, roomID, userID, content)
		return err
	})
	return out, err
}

// sendRoomVerificationRequest sends our in-room request and makes it known to the helper. On the
// verifier's actor.
func (m *Machine) sendRoomVerificationRequest(ctx context.Context, roomID id.RoomID, userID id.UserID, content *event.MessageEventContent) (Verification, error) {
	v := m.verify
	resp, err := v.cli.SendMessageEvent(ctx, roomID, event.EventMessage, content)
	if err != nil {
		return Verification{}, fmt.Errorf("failed to send verification request: %w", err)
	}
	txn := id.VerificationTransactionID(resp.EventID)
	v.markSeen(resp.EventID, time.Now())
	expires := time.Now().Add(RoomVerificationMaxAge)
	err = v.store.SaveVerificationTransaction(ctx, verificationhelper.VerificationTransaction{
		ExpirationTime:    jsontime.UnixMilli{Time: expires},
		RoomID:            roomID,
		VerificationState: verificationhelper.VerificationStateRequested,
		TransactionID:     txn,
		TheirUserID:       userID,
	})
	if err != nil {
		return Verification{}, fmt.Errorf("failed to save verification request: %w", err)
	}
	if !v.closed {
		v.expiry = append(v.expiry, time.AfterFunc(time.Until(expires), func() { m.expireRoomVerification(txn) }))
	}
	return v.update(txn, func(x *Verification) {
		x.UserID, x.RoomID, x.State = userID, roomID, VerificationRequested
	}), nil
}

// expireRoomVerification cancels one of our in-room requests that is still going after ten
// minutes (the helper does this for its own requests only).
func (m *Machine) expireRoomVerification(txn id.VerificationTransactionID) {
	v := m.verify
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := v.call(ctx, func(ctx context.Context) error {
		if !v.store.has(txn) {
			return nil
		}
		err := v.vh.CancelVerification(ctx, txn, event.VerificationCancelCodeTimeout, "verification timed out")
		v.update(txn, func(x *Verification) {
			x.State, x.CancelCode = VerificationCancelled, event.VerificationCancelCodeTimeout
			x.CancelReason = fmt.Sprintf("%s: verification timed out", event.VerificationCancelCodeTimeout)
		})
		return err
	})
	if err != nil {
		m.log.Warn().Err(err).Msg("Cancelling an expired verification failed")
	}
}

// HandleRoomVerification hands a live timeline event to in-room verification. Each event is
// handled once (by ID) and only if younger than RoomVerificationMaxAge; events of transactions
// we do not take part in, and our own (echoes), are ignored. Call it only for live events (not
// backfilled history nor events decrypted again later), in timeline order.
func (m *Machine) HandleRoomVerification(ctx context.Context, re RoomEvent) {
	v := m.verify
	if v == nil || re.EventID == "" || !IsRoomVerificationEvent(re.Type, re.Content) {
		return
	}
	// Handled wholly before or after each of our calls into the helper (W7).
	_ = v.act.do(ctx, func(ctx context.Context) {
		defer func() {
			if r := recover(); r != nil { // the helper, or our code around it: see dispatch
				m.log.Error().Str("panic", fmt.Sprint(r)).Str("event_type", re.Type).Msg("In-room verification event handling panicked")
			}
		}()
		m.handleRoomVerification(ctx, re)
	})
}

// handleRoomVerification is HandleRoomVerification on the verifier's actor.
func (m *Machine) handleRoomVerification(ctx context.Context, re RoomEvent) {
	v := m.verify
	log := m.log.With().Str("event_id", re.EventID.String()).Str("event_type", re.Type).Logger()
	if !v.admit(re, time.Now()) {
		log.Debug().Msg("Ignoring in-room verification event seen before or outside the time window")
		return
	}
	typ := event.Type{Type: re.Type, Class: event.MessageEventType}
	evt := &event.Event{Type: typ, RoomID: re.RoomID, ID: re.EventID, Sender: re.Sender, Timestamp: re.Timestamp,
		Content: event.Content{VeryRaw: re.Content}}
	if err := evt.Content.ParseRaw(typ); err != nil {
		log.Warn().Err(err).Msg("Ignoring malformed in-room verification event")
		return
	}
	if typ == event.EventMessage {
		if re.Sender == m.mach.Client.UserID {
			return // our own request
		}
		c := evt.Content.AsMessage()
		c.Methods = withoutQR(c.Methods)
		m.dispatch(ctx, evt)
		return
	}
	rel, _ := evt.Content.Parsed.(event.Relatable)
	var to *event.RelatesTo
	if rel != nil {
		to = rel.OptionalGetRelatesTo()
	}
	if to == nil || to.Type != event.RelReference || to.EventID == "" {
		log.Debug().Msg("Ignoring in-room verification event without a reference to its request")
		return
	}
	txn := id.VerificationTransactionID(to.EventID)
	known, err := v.store.GetVerificationTransaction(ctx, txn)
	if err != nil {
		return // not ours, or over (the helper would answer with a cancel)
	}
	if re.Sender == m.mach.Client.UserID {
		m.ownRoomVerificationEvent(ctx, evt, known)
		return
	}
	if re.Sender != known.TheirUserID {
		log.Warn().Str("sender", re.Sender.String()).Msg("Ignoring in-room verification event of a third user")
		return
	}
	if known.VerificationState == verificationhelper.VerificationStateRequested && typ != event.InRoomVerificationCancel {
		// Before a ready only a ready (to our request) or a cancel belongs here. A later step
		// of their request means another device of ours accepted it (its ready may have been
		// unreadable to us): the helper would cancel the verification for everyone.
		if v.incoming(txn) {
			m.answeredElsewhere(ctx, txn, "")
			return
		}
		if typ != event.InRoomVerificationReady {
			log.Debug().Msg("Ignoring in-room verification event before the ready")
			return
		}
	}
	var fromDevice id.DeviceID
	switch c := evt.Content.Parsed.(type) {
	case *event.VerificationReadyEventContent:
		c.Methods = withoutQR(c.Methods)
		fromDevice = c.FromDevice
	case *event.VerificationStartEventContent:
		fromDevice = c.FromDevice
	}
	if known.VerificationState != verificationhelper.VerificationStateRequested && known.TheirDeviceID != "" &&
		fromDevice != "" && fromDevice != known.TheirDeviceID {
		// Another of their devices answered too late: the verification goes on with the first.
		log.Debug().Str("from_device", fromDevice.String()).Msg("Ignoring in-room verification event of another device")
		return
	}
	// The helper takes an in-room event's ID for the transaction ID, which is the request's.
	evt.ID = to.EventID
	m.dispatchTxn(ctx, string(txn), evt)
}

// ownRoomVerificationEvent handles an in-room verification event of our own user: ours comes
// back as an echo; a ready of another device of ours means that it accepted an incoming
// request, which then is no longer ours to answer.
func (m *Machine) ownRoomVerificationEvent(ctx context.Context, evt *event.Event, txn verificationhelper.VerificationTransaction) {
	ready, ok := evt.Content.Parsed.(*event.VerificationReadyEventContent)
	if !ok || ready.FromDevice == m.mach.Client.DeviceID || txn.VerificationState != verificationhelper.VerificationStateRequested ||
		!m.verify.incoming(txn.TransactionID) {
		return
	}
	m.answeredElsewhere(ctx, txn.TransactionID, ready.FromDevice)
}

// answeredElsewhere drops an incoming request that another device of ours (deviceID, if known)
// accepted.
func (m *Machine) answeredElsewhere(ctx context.Context, txn id.VerificationTransactionID, deviceID id.DeviceID) {
	v := m.verify
	if err := v.vh.DismissVerification(ctx, txn); err != nil {
		m.log.Warn().Err(err).Msg("Dismissing a verification answered elsewhere failed")
	}
	reason := "answered on another device"
	if deviceID != "" {
		reason += " (" + deviceID.String() + ")"
	}
	v.update(txn, func(x *Verification) {
		x.State, x.CancelCode = VerificationCancelled, event.VerificationCancelCodeAccepted
		x.CancelReason = fmt.Sprintf("%s: %s", event.VerificationCancelCodeAccepted, reason)
	})
}

// incoming reports whether txn is a request of the other side. On act.
func (v *verifier) incoming(txn id.VerificationTransactionID) bool {
	x, ok := v.txns[txn]
	return ok && x.Incoming
}

// withoutQR drops the QR code methods (not offered in rooms).
func withoutQR(methods []event.VerificationMethod) []event.VerificationMethod {
	var kept []event.VerificationMethod
	for _, x := range methods {
		switch x {
		case event.VerificationMethodQRCodeShow, event.VerificationMethodQRCodeScan, event.VerificationMethodReciprocate:
		default:
			kept = append(kept, x)
		}
	}
	return kept
}

// admit reports whether an in-room verification event is to be handled: one not seen before,
// dated at most RoomVerificationMaxAge ago (and not far in the future). On act.
func (v *verifier) admit(re RoomEvent, now time.Time) bool {
	ts := time.UnixMilli(re.Timestamp)
	if now.Sub(ts) > RoomVerificationMaxAge || ts.Sub(now) > roomVerificationMaxSkew {
		return false
	}
	return v.markSeen(re.EventID, now)
}

// stop stops the expiry timers of our in-room requests and the actor (the machine is closing).
func (v *verifier) stop() {
	_ = v.act.do(context.Background(), func(context.Context) {
		v.closed = true
		for _, t := range v.expiry {
			t.Stop()
		}
		v.expiry = nil
	})
	v.act.stop()
}

// markSeen records an in-room verification event; false if it was seen before. Entries older
// than the age limit are dropped (their events are ignored by age anyway). On act.
func (v *verifier) markSeen(eventID id.EventID, now time.Time) bool {
	if _, ok := v.seen[eventID]; ok {
		return false
	}
	if len(v.seen) >= 256 {
		for e, at := range v.seen {
			if now.Sub(at) > RoomVerificationMaxAge+roomVerificationMaxSkew {
				delete(v.seen, e)
			}
		}
	}
	v.seen[eventID] = now
	return true
}

// roomCrypto encrypts the in-room verification events of the helper's client (mautrix calls it
// from SendMessageEvent for rooms the state store reports encrypted) with the machine's megolm
// session of the room, like any message.
type roomCrypto struct{ m *Machine }

var _ mautrix.CryptoHelper = roomCrypto{}

func (c roomCrypto) Encrypt(ctx context.Context, roomID id.RoomID, evType event.Type, content any) (*event.EncryptedEventContent, error) {
	if enc, ok := content.(*event.EncryptedEventContent); ok {
		return enc, nil // already encrypted
	}
	recipients := c.m.roomKeyRecipients()
	if recipients == nil {
		return nil, errors.New("failed to encrypt: room key recipients not set up")
	}
	return c.m.encryptEvent(ctx, roomID, evType.Type, content, func(ctx context.Context) ([]id.UserID, error) {
		return recipients(ctx, roomID)
	})
}

func (roomCrypto) Decrypt(context.Context, *event.Event) (*event.Event, error) {
	return nil, errors.New("failed to decrypt: not supported by the verification client")
}

func (roomCrypto) WaitForSession(context.Context, id.RoomID, id.SenderKey, id.SessionID, time.Duration) bool {
	return false
}

func (roomCrypto) RequestSession(context.Context, id.RoomID, id.SenderKey, id.SessionID, id.UserID, id.DeviceID) {
}

func (roomCrypto) Init(context.Context) error { return nil }

// encryptedRooms is the state store of the helper's client: mautrix asks it only whether a
// room is encrypted (in SendMessageEvent).
type encryptedRooms struct {
	mautrix.StateStore
	rooms *roomState
}

func (s encryptedRooms) IsEncrypted(ctx context.Context, roomID id.RoomID) (bool, error) {
	return s.rooms.IsEncrypted(ctx, roomID)
}

// lockedStore is the helper's in-memory transaction store, safe to read outside the helper.
type lockedStore struct {
	mu sync.Mutex
	s  *verificationhelper.InMemoryVerificationStore
}

var _ verificationhelper.VerificationStore = (*lockedStore)(nil)

func (l *lockedStore) has(txn id.VerificationTransactionID) bool {
	_, err := l.GetVerificationTransaction(context.Background(), txn)
	return err == nil
}

func (l *lockedStore) DeleteVerification(ctx context.Context, txn id.VerificationTransactionID) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.DeleteVerification(ctx, txn)
}

func (l *lockedStore) GetVerificationTransaction(ctx context.Context, txn id.VerificationTransactionID) (verificationhelper.VerificationTransaction, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.GetVerificationTransaction(ctx, txn)
}

func (l *lockedStore) SaveVerificationTransaction(ctx context.Context, txn verificationhelper.VerificationTransaction) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.SaveVerificationTransaction(ctx, txn)
}

func (l *lockedStore) FindVerificationTransactionForUserDevice(ctx context.Context, userID id.UserID, deviceID id.DeviceID) (verificationhelper.VerificationTransaction, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.FindVerificationTransactionForUserDevice(ctx, userID, deviceID)
}

func (l *lockedStore) GetAllVerificationTransactions(ctx context.Context) ([]verificationhelper.VerificationTransaction, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.GetAllVerificationTransactions(ctx)
}
