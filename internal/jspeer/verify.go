package jspeer

import (
	"context"
	"fmt"
)

// SAS verification (m.sas.v1, emoji) over to-device messages or in a room. The side that
// calls RequestVerification starts SAS as soon as the other side accepted;
// both sides then read SASEmojis and call ConfirmSAS.

// RequestVerification asks deviceID of userID to verify with this device. The
// peer must know the device: its own, or one of a user it shares an
// encrypted room with (it waits up to 10 s for the keys to arrive).
func (p *Peer) RequestVerification(ctx context.Context, userID, deviceID string) error {
	args := map[string]any{"user_id": userID, "device_id": deviceID}
	if err := p.call(ctx, "request_verification", args, nil); err != nil {
		return fmt.Errorf("failed to request verification of %s/%s: %w", userID, deviceID, err)
	}
	return nil
}

// RequestVerificationDM asks userID to verify in roomID (in-room verification,
// matrix-js-sdk's requestVerificationDM: the request is an m.room.message with
// msgtype m.key.verification.request, the later steps are room events). The
// peer starts SAS once the other side accepted. It returns the request's event
// ID (the verification's transaction ID).
func (p *Peer) RequestVerificationDM(ctx context.Context, userID, roomID string) (string, error) {
	var res struct {
		TransactionID string `json:"transaction_id"`
	}
	if err := p.call(ctx, "request_verification_dm", map[string]any{"user_id": userID, "room_id": roomID}, &res); err != nil {
		return "", fmt.Errorf("failed to request verification of %s in %s: %w", userID, roomID, err)
	}
	return res.TransactionID, nil
}

// AcceptVerification waits for an incoming verification request (to-device or in a room), accepts it
// and returns who asked.
func (p *Peer) AcceptVerification(ctx context.Context) (userID, deviceID string, err error) {
	var res struct {
		UserID   string `json:"user_id"`
		DeviceID string `json:"device_id"`
	}
	if err := p.call(ctx, "accept_verification", nil, &res); err != nil {
		return "", "", fmt.Errorf("failed to accept a verification request: %w", err)
	}
	return res.UserID, res.DeviceID, nil
}

// SASEmojis waits for the short authentication string and returns the seven
// emoji names in English ("Dog", "Cat", ...), as the spec's table names them.
func (p *Peer) SASEmojis(ctx context.Context) ([]string, error) {
	var res struct {
		Emoji []string `json:"emoji"`
	}
	if err := p.call(ctx, "sas_emojis", nil, &res); err != nil {
		return nil, fmt.Errorf("failed to get the SAS emojis: %w", err)
	}
	return res.Emoji, nil
}

// ConfirmSAS confirms that the emojis match and waits until the verification is done.
func (p *Peer) ConfirmSAS(ctx context.Context) error {
	if err := p.call(ctx, "confirm_sas", nil, nil); err != nil {
		return fmt.Errorf("failed to confirm the SAS: %w", err)
	}
	return nil
}

// ConfirmSASNoWait confirms that the emojis match (the SDK sends its MAC) and returns without
// waiting for the other side; WaitVerificationDone waits for the end.
func (p *Peer) ConfirmSASNoWait(ctx context.Context) error {
	if err := p.call(ctx, "confirm_sas", map[string]any{"no_wait": true}, nil); err != nil {
		return fmt.Errorf("failed to confirm the SAS: %w", err)
	}
	return nil
}

// ResetCrossSigning replaces the user's cross-signing keys with new ones (an identity reset, as
// after a lost recovery key) and signs this device with them. password "" means the login password.
func (p *Peer) ResetCrossSigning(ctx context.Context, password string) error {
	var res struct {
		Ready bool `json:"ready"`
	}
	if err := p.call(ctx, "bootstrap_cross_signing", map[string]any{"password": password, "reset": true}, &res); err != nil {
		return fmt.Errorf("failed to reset cross-signing: %w", err)
	}
	if !res.Ready {
		return fmt.Errorf("failed to reset cross-signing: the SDK reports it not ready afterwards")
	}
	return nil
}

// MasterKey is the peer's own master cross-signing public key (unpadded base64), "" without one.
func (p *Peer) MasterKey(ctx context.Context) (string, error) {
	var res struct {
		MasterKey string `json:"master_key"`
	}
	if err := p.call(ctx, "cross_signing_id", nil, &res); err != nil {
		return "", fmt.Errorf("failed to get the master key: %w", err)
	}
	return res.MasterKey, nil
}

// UserStatus is the js-sdk's trust in another user's cross-signing identity.
type UserStatus struct {
	CrossSigningVerified    bool `json:"cross_signing_verified"`     // we verified their current identity
	WasCrossSigningVerified bool `json:"was_cross_signing_verified"` // we verified an identity of theirs once
	NeedsUserApproval       bool `json:"needs_user_approval"`        // their identity changed since we pinned it
}

// UserStatus asks the SDK how it trusts userID's identity.
func (p *Peer) UserStatus(ctx context.Context, userID string) (UserStatus, error) {
	var st UserStatus
	if err := p.call(ctx, "user_verified", map[string]any{"user_id": userID}, &st); err != nil {
		return st, fmt.Errorf("failed to get the status of %s: %w", userID, err)
	}
	return st, nil
}

// RequestQRVerification asks deviceID of userID to verify with this device,
// without starting SAS once the other side is ready: the flow waits for a QR
// code to be shown (QRCode) or scanned (ScanQRCode).
func (p *Peer) RequestQRVerification(ctx context.Context, userID, deviceID string) error {
	args := map[string]any{"user_id": userID, "device_id": deviceID, "auto_sas": false}
	if err := p.call(ctx, "request_verification", args, nil); err != nil {
		return fmt.Errorf("failed to request verification of %s/%s: %w", userID, deviceID, err)
	}
	return nil
}

// QRCode waits until the current verification is ready and returns the
// bytes of the QR code this device shows (m.qr_code.show.v1).
func (p *Peer) QRCode(ctx context.Context) ([]byte, error) {
	var res struct {
		Data []byte `json:"data"` // base64 in JSON
	}
	if err := p.call(ctx, "qr_code", nil, &res); err != nil {
		return nil, fmt.Errorf("failed to get the QR code: %w", err)
	}
	return res.Data, nil
}

// ScanQRCode hands the bytes of the other device's QR code to the current
// verification (m.qr_code.scan.v1): the SDK checks the keys and sends
// m.reciprocate.v1. WaitVerificationDone then waits for the other side.
func (p *Peer) ScanQRCode(ctx context.Context, data []byte) error {
	if err := p.call(ctx, "scan_qr_code", map[string]any{"data": data}, nil); err != nil {
		return fmt.Errorf("failed to scan the QR code: %w", err)
	}
	return nil
}

// ConfirmQRScanned waits until the other device scanned this device's QR code
// and confirms it (the other device showed success).
func (p *Peer) ConfirmQRScanned(ctx context.Context) error {
	if err := p.call(ctx, "confirm_qr_scanned", nil, nil); err != nil {
		return fmt.Errorf("failed to confirm the QR scan: %w", err)
	}
	return nil
}

// WaitVerificationDone waits until the current verification is done.
func (p *Peer) WaitVerificationDone(ctx context.Context) error {
	if err := p.call(ctx, "wait_verification_done", nil, nil); err != nil {
		return fmt.Errorf("failed to finish the verification: %w", err)
	}
	return nil
}
