package crypto

import (
	"context"
	"fmt"
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
	VerificationRequested VerificationState = "requested" // waiting for the other side (or us) to accept
	VerificationReady     VerificationState = "ready"     // accepted, SAS not yet agreed
	VerificationSAS       VerificationState = "sas"       // emojis available for comparison
	VerificationDone      VerificationState = "done"
	VerificationCancelled VerificationState = "cancelled"
)

// Emoji is one of the seven SAS emojis with its English name from the spec's table.
type Emoji struct {
	Symbol string
	Name   string
}

// Verification is a snapshot of one SAS verification (m.sas.v1, over to-device messages).
type Verification struct {
	ID           string
	UserID       id.UserID
	DeviceID     id.DeviceID // the other device; empty until it accepted our request
	Incoming     bool
	State        VerificationState
	Emojis       []Emoji
	CancelReason string
}

// Finished reports whether the verification is done or cancelled.
func (v Verification) Finished() bool {
	return v.State == VerificationDone || v.State == VerificationCancelled
}

// EnableVerification sets up SAS verification. changed is called (from the sync goroutine or a
// caller's) whenever a verification changes.
func (m *Machine) EnableVerification(ctx context.Context, changed func(Verification)) error {
	cli := m.mach.Client
	syncer, ok := cli.Syncer.(*mautrix.DefaultSyncer)
	if !ok {
		return fmt.Errorf("failed to set up verification: unexpected syncer %T", cli.Syncer)
	}
	v := &verifier{syncer: syncer, changed: changed, txns: map[id.VerificationTransactionID]*Verification{}, wake: make(chan struct{})}
	// The helper insists on a client crypto helper but uses it only for in-room verification,
	// which we do not offer. Leaving one set would make mautrix encrypt in SendMessageEvent.
	prev := cli.Crypto
	cli.Crypto = cryptoStub{}
	v.vh = verificationhelper.NewVerificationHelper(cli, m.mach, nil, v, false, false, true)
	cli.Crypto = prev
	v.start = func(txn id.VerificationTransactionID) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := v.vh.StartSAS(ctx, txn); err != nil {
				m.log.Warn().Err(err).Msg("Starting SAS failed")
			}
		}()
	}
	if err := v.vh.Init(ctx); err != nil {
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
	m.verify.syncer.Dispatch(ctx, evt)
}

func (m *Machine) verifierOrErr() (*verifier, error) {
	if m.verify == nil {
		return nil, fmt.Errorf("verification is not enabled")
	}
	return m.verify, nil
}

// StartVerification asks userID's devices to verify with us (the helper sends the request to all of
// them; deviceID, if given, is fetched first so that a new device is included).
func (m *Machine) StartVerification(ctx context.Context, userID id.UserID, deviceID id.DeviceID) (Verification, error) {
	v, err := m.verifierOrErr()
	if err != nil {
		return Verification{}, err
	}
	if _, err := m.mach.FetchKeys(ctx, []id.UserID{userID}, true); err != nil {
		return Verification{}, fmt.Errorf("failed to fetch devices of %s: %w", userID, err)
	}
	txn, err := v.vh.StartVerification(ctx, userID)
	if err != nil {
		return Verification{}, fmt.Errorf("failed to start verification: %w", err)
	}
	return v.update(txn, func(x *Verification) {
		x.UserID = userID
		if x.DeviceID == "" {
			x.DeviceID = deviceID
		}
		if x.State == "" {
			x.State = VerificationRequested
		}
	}), nil
}

// AcceptVerification accepts an incoming request; the other side then starts SAS.
func (m *Machine) AcceptVerification(ctx context.Context, txnID string) error {
	v, err := m.verifierOrErr()
	if err != nil {
		return err
	}
	if err := v.vh.AcceptVerification(ctx, id.VerificationTransactionID(txnID)); err != nil {
		return fmt.Errorf("failed to accept verification: %w", err)
	}
	return nil
}

// ConfirmSAS confirms that the emojis match on both sides.
func (m *Machine) ConfirmSAS(ctx context.Context, txnID string) error {
	v, err := m.verifierOrErr()
	if err != nil {
		return err
	}
	if err := v.vh.ConfirmSAS(ctx, id.VerificationTransactionID(txnID)); err != nil {
		return fmt.Errorf("failed to confirm SAS: %w", err)
	}
	return nil
}

// CancelVerification cancels a verification (for example when the emojis do not match).
func (m *Machine) CancelVerification(ctx context.Context, txnID string, mismatch bool) error {
	v, err := m.verifierOrErr()
	if err != nil {
		return err
	}
	code, reason := event.VerificationCancelCodeUser, "cancelled by the user"
	if mismatch {
		code, reason = event.VerificationCancelCodeSASMismatch, "the emojis did not match"
	}
	tid := id.VerificationTransactionID(txnID)
	if err := v.vh.CancelVerification(ctx, tid, code, reason); err != nil {
		return fmt.Errorf("failed to cancel verification: %w", err)
	}
	v.update(tid, func(x *Verification) { x.State, x.CancelReason = VerificationCancelled, reason })
	return nil
}

// Verifications lists the verifications of this run.
func (m *Machine) Verifications() []Verification {
	if m.verify == nil {
		return nil
	}
	v := m.verify
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]Verification, 0, len(v.txns))
	for _, x := range v.txns {
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
		v.mu.Lock()
		x, ok := v.txns[id.VerificationTransactionID(txnID)]
		var cur Verification
		if ok {
			cur = x.copy()
		}
		wake := v.wake
		v.mu.Unlock()
		if !ok {
			return Verification{}, fmt.Errorf("unknown verification %s", txnID)
		}
		if cur.State != prev.State || len(cur.Emojis) != len(prev.Emojis) {
			return cur, nil
		}
		select {
		case <-ctx.Done():
			return cur, ctx.Err()
		case <-wake:
		}
	}
}
