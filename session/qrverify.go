package session

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
)

// VerificationQRScanned: the other device scanned our QR code; once it shows success, confirm
// with ConfirmQRScanned.
const VerificationQRScanned = e2ee.VerificationQRScanned

// RequestVerification asks userID's device (all their devices if deviceID is "") to verify with
// us, like StartVerification, but does not start SAS once the other side accepted: the
// verification waits in the ready state for the user's choice: show our QR code (Info().QRCode),
// scan theirs (ScanQRCode) or compare emojis (StartSAS).
func (s *Session) RequestVerification(ctx context.Context, userID id.UserID, deviceID id.DeviceID) (*Verification, error) {
	if s.e2ee == nil {
		return nil, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	v, err := s.e2ee.RequestVerification(ctx, userID, deviceID)
	if err != nil {
		return nil, err
	}
	return &Verification{s: s, id: v.ID}, nil
}

// scanQRCode hands the payload of the QR code shown by the other device (decoded from the image,
// in byte mode) to the verification verificationID, which must be ready. We check the keys in
// it and tell the other device; the verification is done once it confirms (Wait). A code with
// keys other than those we know cancels the verification.
func (s *Session) scanQRCode(ctx context.Context, verificationID string, data []byte) error {
	if s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	return s.e2ee.ScanQRCode(ctx, verificationID, data)
}

// confirmQRScanned confirms that the other device, which scanned our QR code (state
// qr_scanned), showed success; the verification is then done.
func (s *Session) confirmQRScanned(ctx context.Context, verificationID string) error {
	if s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	return s.e2ee.ConfirmQRScanned(ctx, verificationID)
}

// QRCode is the payload of the QR code for the other device to scan (render it in byte mode);
// nil until the verification is ready, or when the other device cannot scan.
func (v *Verification) QRCode() []byte { return v.Info().QRCode }

// WaitQRCode waits until the verification is ready and returns our QR code's payload (nil when
// the other device cannot scan or we cannot show one).
func (v *Verification) WaitQRCode(ctx context.Context) ([]byte, error) {
	info, err := v.waitUntil(ctx, func(x VerificationInfo) bool { return x.State != VerificationRequested })
	if err != nil {
		return nil, err
	}
	return info.QRCode, nil
}

// WaitQRScanned waits until the other device scanned our QR code.
func (v *Verification) WaitQRScanned(ctx context.Context) error {
	_, err := v.waitUntil(ctx, func(x VerificationInfo) bool {
		return x.State == VerificationQRScanned || x.State == VerificationDone
	})
	return err
}

// ScanQRCode is Session.ScanQRCode for this verification.
func (v *Verification) ScanQRCode(ctx context.Context, data []byte) error {
	return v.s.scanQRCode(ctx, v.id, data)
}

// ConfirmQRScanned is Session.ConfirmQRScanned for this verification.
func (v *Verification) ConfirmQRScanned(ctx context.Context) error {
	return v.s.confirmQRScanned(ctx, v.id)
}

// StartSAS starts emoji comparison in a ready verification (one made by RequestVerification, or
// an accepted request whose requester does not start it).
func (v *Verification) StartSAS(ctx context.Context) error {
	if v.s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	return v.s.e2ee.StartSAS(ctx, v.id)
}
