package jspeer

import (
	"context"
	"fmt"
)

// SAS verification (m.sas.v1, emoji) over to-device messages. The side that
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

// AcceptVerification waits for an incoming verification request, accepts it
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
