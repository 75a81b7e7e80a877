package session

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// Emoji is one SAS emoji with its English name from the spec's table ("Dog", "Cat"...).
type Emoji = e2ee.Emoji

// VerificationInfo is a snapshot of one verification (SAS or QR code).
type VerificationInfo = e2ee.Verification

// Verification states.
const (
	VerificationRequested = e2ee.VerificationRequested
	VerificationReady     = e2ee.VerificationReady
	VerificationSAS       = e2ee.VerificationSAS
	VerificationDone      = e2ee.VerificationDone
	VerificationCancelled = e2ee.VerificationCancelled
)

// VerificationCancelCode is the spec's code of a cancelled verification (VerificationInfo.CancelCode).
type VerificationCancelCode = event.VerificationCancelCode

// Cancel codes front ends tell apart.
const (
	CancelUser              = event.VerificationCancelCodeUser
	CancelTimeout           = event.VerificationCancelCodeTimeout
	CancelSASMismatch       = event.VerificationCancelCodeSASMismatch
	CancelKeyMismatch       = event.VerificationCancelCodeKeyMismatch
	CancelUserMismatch      = event.VerificationCancelCodeUserMismatch
	CancelAccepted          = event.VerificationCancelCodeAccepted
	CancelUnknownMethod     = event.VerificationCancelCodeUnknownMethod
	CancelUnknownTxn        = event.VerificationCancelCodeUnknownTransaction
	CancelUnexpectedMessage = event.VerificationCancelCodeUnexpectedMessage
	CancelInvalidMessage    = event.VerificationCancelCodeInvalidMessage
)

// VerificationCancelledError is the error of waiting for a verification that was cancelled (by
// either side); errors.As gives the cancel code.
type VerificationCancelledError struct {
	Code   VerificationCancelCode
	Reason string // for people
}

func (e *VerificationCancelledError) Error() string { return "verification cancelled: " + e.Reason }

// Verification is a handle on one verification over to-device messages: SAS (m.sas.v1, emoji) or
// QR codes (see RequestVerification); or in a room (StartRoomVerification, or an incoming in-room
// request: Info().RoomID is set), SAS only.
// Its events arrive through the sync loop, so Run (or SyncOnce calls) must go on meanwhile.
type Verification struct {
	s  *Session
	id string
}

// onVerification records a verification change for subscribers.
func (s *Session) onVerification(v e2ee.Verification) {
	if v.State == e2ee.VerificationDone && v.UserID == s.account.UserID {
		// Verified by (or verifying) another device of ours: our devices now answer key requests,
		// and this device may be verified now.
		go s.rerequestKeys(context.Background())
		go s.refreshDeviceGate(context.Background(), true)
	}
	err := s.db.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.AddChange(string(ChangeVerification), "", v.ID)
		return err
	})
	if err != nil {
		s.log.Warn().Err(err).Msg("Recording a verification change failed")
		return
	}
	s.bus.notify()
}

// StartVerification asks userID's device (all their devices if deviceID is "") to verify with us.
// When the other side accepts, SAS starts and Emojis become available.
func (s *Session) StartVerification(ctx context.Context, userID id.UserID, deviceID id.DeviceID) (*Verification, error) {
	if s.e2ee == nil {
		return nil, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	v, err := s.e2ee.StartVerification(ctx, userID, deviceID)
	if err != nil {
		return nil, err
	}
	return &Verification{s: s, id: v.ID}, nil
}

// PendingVerifications lists incoming requests that were not accepted yet: to-device ones and
// in-room ones (Info().RoomID set, from live timeline events at most ten minutes old).
func (s *Session) PendingVerifications() []VerificationInfo {
	if s.e2ee == nil {
		return nil
	}
	var out []VerificationInfo
	for _, v := range s.e2ee.Verifications() {
		if v.Incoming && v.State == VerificationRequested {
			out = append(out, v)
		}
	}
	return out
}

// Verification returns the handle of a verification by ID (as in PendingVerifications or a change).
func (s *Session) Verification(verificationID string) *Verification {
	return &Verification{s: s, id: verificationID}
}

// AcceptVerification accepts an incoming request; the requester then starts SAS.
func (s *Session) AcceptVerification(ctx context.Context, verificationID string) (*Verification, error) {
	if s.e2ee == nil {
		return nil, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	if err := s.e2ee.AcceptVerification(ctx, verificationID); err != nil {
		return nil, err
	}
	return s.Verification(verificationID), nil
}

// ID identifies the verification (its transaction ID).
func (v *Verification) ID() string { return v.id }

// Info is the current state of the verification.
func (v *Verification) Info() VerificationInfo {
	if v.s.e2ee == nil {
		return VerificationInfo{ID: v.id}
	}
	for _, x := range v.s.e2ee.Verifications() {
		if x.ID == v.id {
			return x
		}
	}
	return VerificationInfo{ID: v.id}
}

// Emojis are the seven SAS emojis, nil until SAS reached that point.
func (v *Verification) Emojis() []Emoji { return v.Info().Emojis }

// WaitEmojis waits until the emojis are there (or the verification ended).
func (v *Verification) WaitEmojis(ctx context.Context) ([]Emoji, error) {
	info, err := v.waitUntil(ctx, func(x VerificationInfo) bool { return len(x.Emojis) > 0 })
	if err != nil {
		return nil, err
	}
	return info.Emojis, nil
}

// ConfirmSAS confirms that the emojis match those shown on the other device.
func (v *Verification) ConfirmSAS(ctx context.Context) error {
	if v.s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	return v.s.e2ee.ConfirmSAS(ctx, v.id)
}

// WaitTheyConfirmed waits until the other side confirmed the emojis before us (Info().TheyConfirmed)
// or the verification is done.
func (v *Verification) WaitTheyConfirmed(ctx context.Context) error {
	_, err := v.waitUntil(ctx, func(x VerificationInfo) bool { return x.TheyConfirmed || x.State == VerificationDone })
	return err
}

// Cancel cancels the verification; mismatch says the emojis differed.
func (v *Verification) Cancel(ctx context.Context, mismatch bool) error {
	if v.s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	return v.s.e2ee.CancelVerification(ctx, v.id, mismatch)
}

// Wait waits until the verification is done (nil) or cancelled (an error with the reason).
func (v *Verification) Wait(ctx context.Context) error {
	info, err := v.waitUntil(ctx, func(x VerificationInfo) bool { return x.State == VerificationDone })
	if err == nil && info.UserID == v.s.account.UserID {
		// Our other device signed this one before it sent done: learn that before returning.
		v.s.refreshDeviceGate(ctx, true)
	}
	return err
}

// waitUntil waits for ok, failing when the verification is cancelled first or ctx ends.
func (v *Verification) waitUntil(ctx context.Context, ok func(VerificationInfo) bool) (VerificationInfo, error) {
	if v.s.e2ee == nil {
		return VerificationInfo{}, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	cur := v.Info()
	for {
		if ok(cur) {
			return cur, nil
		}
		if cur.State == VerificationCancelled {
			return cur, &VerificationCancelledError{Code: cur.CancelCode, Reason: cur.CancelReason}
		}
		next, err := v.s.e2ee.WaitVerification(ctx, v.id, cur)
		if err != nil {
			return cur, fmt.Errorf("failed to wait for the verification: %w", err)
		}
		cur = next
	}
}
