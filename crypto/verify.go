package crypto

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/verificationhelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// VerificationState is how far an interactive verification got.
type VerificationState string

// States of a verification.
const (
	VerificationRequested VerificationState = "requested"  // waiting for the other side (or us) to accept
	VerificationReady     VerificationState = "ready"      // accepted, no method started yet (QR code shown)
	VerificationSAS       VerificationState = "sas"        // emojis available for comparison
	VerificationQRScanned VerificationState = "qr_scanned" // the other device scanned our QR code: confirm with ConfirmQRScanned
	VerificationDone      VerificationState = "done"
	VerificationCancelled VerificationState = "cancelled"
)

// Emoji is one of the seven SAS emojis with its English name from the spec's table.
type Emoji struct {
	Symbol string
	Name   string
}

// Verification is a snapshot of one interactive verification over to-device messages or in a
// room (see RoomID): SAS (m.sas.v1, emojis) or, over to-device messages only, QR codes
// (m.qr_code.show.v1, m.qr_code.scan.v1, m.reciprocate.v1).
type Verification struct {
	ID       string
	UserID   id.UserID
	DeviceID id.DeviceID // the other device; empty until it accepted our request
	// RoomID is the room of an in-room verification (its events are room events there); empty
	// for one over to-device messages.
	RoomID   id.RoomID
	Incoming bool
	State    VerificationState
	Emojis   []Emoji
	// CancelCode is the spec's code of a cancelled verification (m.user, m.mismatched_sas,
	// m.key_mismatch, m.timeout, m.accepted...), whichever side cancelled; CancelReason is the
	// text for people ("code: text" for cancellations by the other side).
	CancelCode   event.VerificationCancelCode
	CancelReason string
	// QRCode is the payload of the QR code to show the other device (binary, as the spec's QR
	// code format defines it; encode it in byte mode). Nil until the request is ready, and when
	// the other device cannot scan or we cannot show one (no trusted cross-signing keys).
	QRCode []byte
	// CanScanQR: the other device shows QR codes, so we may scan one (ScanQRCode).
	CanScanQR bool
	// TheyConfirmed: the other side confirmed that the emojis match (its MAC arrived) before we
	// did; the verification completes once we confirm too.
	TheyConfirmed bool
}

// Finished reports whether the verification is done or cancelled.
func (v Verification) Finished() bool {
	return v.State == VerificationDone || v.State == VerificationCancelled
}

// EnableVerification sets up interactive verification (SAS, and QR codes in both directions).
// changed is called (from the sync goroutine or a caller's) whenever a verification changes.
func (m *Machine) EnableVerification(ctx context.Context, changed func(Verification)) error {
	cli := m.mach.Client
	syncer, ok := cli.Syncer.(*mautrix.DefaultSyncer)
	if !ok {
		return fmt.Errorf("failed to set up verification: unexpected syncer %T", cli.Syncer)
	}
	v := &verifier{syncer: syncer, changed: changed, txns: map[id.VerificationTransactionID]*Verification{},
		manual:    map[id.VerificationTransactionID]bool{},
		confirmed: map[id.VerificationTransactionID]bool{}, heldMAC: map[id.VerificationTransactionID]*event.Event{},
		store: &lockedStore{s: verificationhelper.NewInMemoryVerificationStore()}, seen: map[id.EventID]time.Time{},
		act: newActor()}
	v.publish()
	// The helper gets a client of its own, sending through doneHold (see there) with the main
	// client's access token and HTTP client settings.
	vcli, err := mautrix.NewClient(cli.HomeserverURL.String(), cli.UserID, "")
	if err != nil {
		v.act.stop()
		return fmt.Errorf("failed to set up verification: %w", err)
	}
	v.hold = newDoneHold(transportOf(cli.Client), func() string { return cli.AccessToken }, v.act)
	vcli.DeviceID, vcli.Syncer, vcli.Log, vcli.UserAgent = cli.DeviceID, cli.Syncer, cli.Log, cli.UserAgent
	vcli.DefaultHTTPRetries = cli.DefaultHTTPRetries
	vcli.Client = &http.Client{Transport: v.hold}
	if cli.Client != nil {
		vcli.Client.Timeout = cli.Client.Timeout
	}
	// In-room verification events go out through SendMessageEvent, which encrypts them (with
	// our megolm session of the room) when the room is encrypted.
	vcli.Crypto = roomCrypto{m}
	vcli.StateStore = encryptedRooms{rooms: m.rooms}
	v.cli = vcli
	v.vh = verificationhelper.NewVerificationHelper(vcli, m.mach, v.store, v, true, true, true)
	v.start = func(txn id.VerificationTransactionID) {
		// Called inside a callback of the helper, which holds its lock: queued after it.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := m.StartSAS(ctx, string(txn)); err != nil {
				m.log.Warn().Err(err).Msg("Starting SAS failed")
			}
		}()
	}
	if err := v.vh.Init(ctx); err != nil {
		v.act.stop()
		return fmt.Errorf("failed to set up verification: %w", err)
	}
	m.verify = v
	return nil
}

// dispatchVerification hands a to-device verification event (already parsed) to the helper.
func (m *Machine) dispatchVerification(ctx context.Context, evt *event.Event) {
	if m.verify == nil || !strings.HasPrefix(evt.Type.Type, "m.key.verification.") {
		return
	}
	evt.Type.Class = event.ToDeviceEventType
	m.withoutImpossibleQR(ctx, evt)
	// Handled wholly before or after each of our calls into the helper (W7).
	_ = m.verify.act.do(ctx, func(ctx context.Context) { m.dispatchTxn(ctx, transactionOf(evt), evt) })
}

// dispatchTxn hands an event of verification txn to the helper, releasing our held done on
// theirs and holding their MAC until we confirmed. On the verifier's actor.
func (m *Machine) dispatchTxn(ctx context.Context, txn string, evt *event.Event) {
	v := m.verify
	if txn != "" {
		switch evt.Type.Type {
		case event.ToDeviceVerificationDone.Type:
			// Their done: now ours may follow (see doneHold).
			if err := v.hold.release(ctx, txn); err != nil {
				m.log.Warn().Err(err).Msg("Sending the held verification done failed")
			}
		case event.ToDeviceVerificationCancel.Type:
			v.hold.forget(txn)
			v.forgetMAC(id.VerificationTransactionID(txn))
		case event.ToDeviceVerificationMAC.Type:
			if v.holdMAC(id.VerificationTransactionID(txn), evt) {
				v.update(id.VerificationTransactionID(txn), func(x *Verification) { x.TheyConfirmed = true })
				return
			}
		}
	}
	m.dispatch(ctx, evt)
}

// dispatch runs the helper's handlers of evt. On the verifier's actor.
func (m *Machine) dispatch(ctx context.Context, evt *event.Event) {
	defer func() {
		// The helper runs on the sync goroutine: a bug in it must not end the program.
		if r := recover(); r != nil {
			m.log.Error().Str("panic", fmt.Sprint(r)).Str("event_type", evt.Type.Type).Msg("Verification event handling panicked")
		}
	}()
	m.verify.syncer.Dispatch(ctx, evt)
}

// withoutImpossibleQR removes the QR code methods from a request or ready event when no QR code
// can be made with its sender: mautrix would otherwise try one, and cancel the verification (we
// have no trusted master key) or crash (they have none), instead of leaving SAS to be used.
func (m *Machine) withoutImpossibleQR(ctx context.Context, evt *event.Event) {
	var methods *[]event.VerificationMethod
	switch c := evt.Content.Parsed.(type) {
	case *event.VerificationRequestEventContent:
		methods = &c.Methods
	case *event.VerificationReadyEventContent:
		methods = &c.Methods
	default:
		return
	}
	if m.qrPossible(ctx, evt.Sender) {
		return
	}
	var kept []event.VerificationMethod
	for _, x := range *methods {
		switch x {
		case event.VerificationMethodQRCodeShow, event.VerificationMethodQRCodeScan, event.VerificationMethodReciprocate:
		default:
			kept = append(kept, x)
		}
	}
	*methods = kept
}

// qrPossible reports whether a QR code can be made for verifying with userID: both sides need
// cross-signing keys, and for another user we must trust our own master key.
func (m *Machine) qrPossible(ctx context.Context, userID id.UserID) bool {
	own, err := m.ownCrossSigningPublicKeys(ctx)
	if err != nil || own == nil || own.MasterKey == "" {
		return false
	}
	me := m.mach.Client.UserID
	if userID == me {
		return true
	}
	trusted, err := m.mach.CryptoStore.IsKeySignedBy(ctx, me, own.MasterKey, me, m.mach.OwnIdentity().SigningKey)
	if err != nil || !trusted {
		return false
	}
	theirs, err := m.mach.GetCrossSigningPublicKeys(ctx, userID)
	return err == nil && theirs != nil && theirs.MasterKey != ""
}

// recoverAs turns a panic of the verification helper into *err.
func recoverAs(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("verification failed: internal error: %v", r)
	}
}

// transactionOf is the verification transaction ID of a parsed to-device verification event.
func transactionOf(evt *event.Event) string {
	if t, ok := evt.Content.Parsed.(event.VerificationTransactionable); ok {
		return string(t.GetTransactionID())
	}
	return ""
}

// transportOf is the transport of an HTTP client (nil: the default).
func transportOf(c *http.Client) http.RoundTripper {
	if c == nil || c.Transport == nil {
		return http.DefaultTransport
	}
	return c.Transport
}

func (m *Machine) verifierOrErr() (*verifier, error) {
	if m.verify == nil {
		return nil, fmt.Errorf("verification is not enabled")
	}
	return m.verify, nil
}

// StartVerification asks userID's devices to verify with us (the helper sends the request to all of
// them; deviceID, if given, is fetched first so that a new device is included). Once the other side
// accepted, we start SAS.
func (m *Machine) StartVerification(ctx context.Context, userID id.UserID, deviceID id.DeviceID) (Verification, error) {
	return m.requestVerification(ctx, userID, deviceID, false)
}

// RequestVerification is StartVerification without starting SAS once the other side accepted:
// the verification then waits in the ready state for a QR code to be scanned (by either side) or
// for StartSAS.
func (m *Machine) RequestVerification(ctx context.Context, userID id.UserID, deviceID id.DeviceID) (Verification, error) {
	return m.requestVerification(ctx, userID, deviceID, true)
}

func (m *Machine) requestVerification(ctx context.Context, userID id.UserID, deviceID id.DeviceID, manual bool) (Verification, error) {
	v, err := m.verifierOrErr()
	if err != nil {
		return Verification{}, err
	}
	if _, err := m.fetchKeys(ctx, []id.UserID{userID}); err != nil {
		return Verification{}, fmt.Errorf("failed to fetch devices of %s: %w", userID, err)
	}
	// One step on the actor: an early ready, handled after it, sees whether the request is manual.
	var out Verification
	err = v.call(ctx, func(ctx context.Context) error {
		txn, err := v.vh.StartVerification(ctx, userID)
		if err != nil {
			return err
		}
		v.manual[txn] = manual
		out = v.update(txn, func(x *Verification) {
			x.UserID = userID
			if x.DeviceID == "" {
				x.DeviceID = deviceID
			}
			if x.State == "" {
				x.State = VerificationRequested
			}
		})
		return nil
	})
	if err != nil {
		return Verification{}, fmt.Errorf("failed to start verification: %w", err)
	}
	return out, nil
}

// call runs fn (a call into the helper) on the verifier's actor; a panic goes on in the caller's
// goroutine (see recoverAs).
func (v *verifier) call(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	if aerr := v.act.do(ctx, func(ctx context.Context) { err = fn(ctx) }); aerr != nil {
		return aerr
	}
	return err
}

// callHelper runs fn, a step of a verification, on the verifier's actor: wholly before or after
// the other side's next event (W7). Its error comes back as "failed to WHAT: ...", a panic of
// the helper as an error too (W5).
func (m *Machine) callHelper(ctx context.Context, what string, fn func(ctx context.Context, v *verifier) error) (err error) {
	defer recoverAs(&err)
	v, err := m.verifierOrErr()
	if err != nil {
		return err
	}
	if err := v.call(ctx, func(ctx context.Context) error { return fn(ctx, v) }); err != nil {
		return fmt.Errorf("failed to %s: %w", what, err)
	}
	return nil
}

// AcceptVerification accepts an incoming request; the other side then starts SAS (or one side
// scans the other's QR code).
func (m *Machine) AcceptVerification(ctx context.Context, txnID string) error {
	return m.callHelper(ctx, "accept verification", func(ctx context.Context, v *verifier) error {
		return v.vh.AcceptVerification(ctx, id.VerificationTransactionID(txnID))
	})
}

// ConfirmSAS confirms that the emojis match on both sides.
//
// The other side's MAC, if it arrived before, was held back (see heldMAC) and is handed to the
// helper only now: mautrix's ConfirmSAS, when their MAC is already there, checks the master key
// in it against OUR OWN master key and fails for another user ("master keys do not match"),
// while its MAC handler, run after our confirmation, checks it against theirs.
func (m *Machine) ConfirmSAS(ctx context.Context, txnID string) error {
	txn := id.VerificationTransactionID(txnID)
	return m.callHelper(ctx, "confirm SAS", func(ctx context.Context, v *verifier) error {
		if err := v.vh.ConfirmSAS(ctx, txn); err != nil {
			return err
		}
		if mac := v.confirm(txn); mac != nil {
			m.dispatch(ctx, mac)
		}
		return nil
	})
}

// StartSAS starts SAS in a ready verification (one made by RequestVerification, or an accepted
// incoming request whose requester does not start it).
func (m *Machine) StartSAS(ctx context.Context, txnID string) error {
	return m.callHelper(ctx, "start SAS", func(ctx context.Context, v *verifier) error {
		return v.vh.StartSAS(ctx, id.VerificationTransactionID(txnID))
	})
}

// ScanQRCode hands the payload of the QR code the other device shows to a ready verification: the
// keys in it are checked against those we know (the verification is cancelled if they differ),
// the other user's master key (or our own device, for our own user) is signed and the other
// device is told with m.reciprocate.v1. The verification is done once it confirms.
func (m *Machine) ScanQRCode(ctx context.Context, txnID string, data []byte) (err error) {
	defer recoverAs(&err)
	qr, err := verificationhelper.NewQRCodeFromBytes(data)
	if err != nil {
		return fmt.Errorf("failed to read the QR code: %w", err)
	}
	if string(qr.TransactionID) != txnID {
		return fmt.Errorf("failed to scan the QR code: it belongs to verification %q, not %q", qr.TransactionID, txnID)
	}
	// Like ConfirmSAS: the helper handles their next event (done) only after this step saved
	// its state, or that event's handler would work on (and save back) the state before it.
	return m.callHelper(ctx, "verify the scanned QR code", func(ctx context.Context, v *verifier) error {
		v.hold.holdFor(txnID)
		if err := v.vh.HandleScannedQRData(ctx, data); err != nil {
			v.hold.forget(txnID)
			return err
		}
		return nil
	})
}

// ConfirmQRScanned confirms, after the other device scanned our QR code (state qr_scanned), that
// it showed success: the other user's master key (or our own device) is signed and the
// verification is done.
func (m *Machine) ConfirmQRScanned(ctx context.Context, txnID string) error {
	return m.callHelper(ctx, "confirm the QR code scan", func(ctx context.Context, v *verifier) error {
		return v.vh.ConfirmQRCodeScanned(ctx, id.VerificationTransactionID(txnID))
	})
}

// CancelVerification cancels a verification (for example when the emojis do not match).
func (m *Machine) CancelVerification(ctx context.Context, txnID string, mismatch bool) error {
	code, reason := event.VerificationCancelCodeUser, "cancelled by the user"
	if mismatch {
		code, reason = event.VerificationCancelCodeSASMismatch, "the emojis did not match"
	}
	tid := id.VerificationTransactionID(txnID)
	return m.callHelper(ctx, "cancel verification", func(ctx context.Context, v *verifier) error {
		if err := v.vh.CancelVerification(ctx, tid, code, reason); err != nil {
			return err
		}
		v.update(tid, func(x *Verification) { x.State, x.CancelCode, x.CancelReason = VerificationCancelled, code, reason })
		return nil
	})
}

// Verifications lists the verifications of this run.
func (m *Machine) Verifications() []Verification {
	if m.verify == nil {
		return nil
	}
	shown := m.verify.shown.Load()
	out := make([]Verification, 0, len(shown.txns))
	for _, x := range shown.txns {
		out = append(out, x.copy())
	}
	return out
}

// WaitVerification blocks until the verification changes from prev (or ctx ends) and returns it.
func (m *Machine) WaitVerification(ctx context.Context, txnID string, prev Verification) (Verification, error) {
	v, err := m.verifierOrErr()
	if err != nil {
		return Verification{}, err
	}
	for {
		shown := v.shown.Load()
		cur, ok := shown.txns[id.VerificationTransactionID(txnID)]
		cur = cur.copy()
		if !ok {
			return Verification{}, fmt.Errorf("unknown verification %s", txnID)
		}
		if cur.State != prev.State || len(cur.Emojis) != len(prev.Emojis) || cur.TheyConfirmed != prev.TheyConfirmed {
			return cur, nil
		}
		select {
		case <-ctx.Done():
			return cur, ctx.Err()
		case <-shown.wake:
		}
	}
}
