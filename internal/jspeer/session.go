package jspeer

import (
	"context"
	"fmt"
	"time"
)

// loginTimeout bounds Login when ctx has no deadline.
const loginTimeout = 60 * time.Second

// Login logs in with a password, initialises the Rust crypto (in memory),
// starts the client, waits for the initial sync and until the new device's
// keys are on the server (so others can encrypt to it right away).
func (p *Peer) Login(ctx context.Context, user, password string) (userID, deviceID string, err error) {
	return p.login(ctx, user, password, false)
}

// LoginWithThreads is Login with the SDK's thread support on (startClient threadSupport, as
// Element runs it): thread replies then live in the SDK's Thread models (Thread, SendThreadReply).
func (p *Peer) LoginWithThreads(ctx context.Context, user, password string) (userID, deviceID string, err error) {
	return p.login(ctx, user, password, true)
}

func (p *Peer) login(ctx context.Context, user, password string, threads bool) (userID, deviceID string, err error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, loginTimeout)
		defer cancel()
	}
	var res struct {
		UserID   string `json:"user_id"`
		DeviceID string `json:"device_id"`
	}
	args := map[string]any{"base_url": p.homeserver, "user": user, "password": password, "thread_support": threads}
	if err := p.call(ctx, "login", args, &res); err != nil {
		return "", "", fmt.Errorf("failed to log in as %s: %w", user, err)
	}
	p.idMu.Lock()
	p.userID, p.deviceID = res.UserID, res.DeviceID
	p.idMu.Unlock()
	return res.UserID, res.DeviceID, nil
}

// BootstrapCrossSigning creates and uploads cross-signing keys and signs this
// device with them. Dendrite asks for user-interactive auth (m.login.password)
// even on the first upload; password "" means the login password.
func (p *Peer) BootstrapCrossSigning(ctx context.Context, password string) error {
	var res struct {
		Ready bool `json:"ready"`
	}
	if err := p.call(ctx, "bootstrap_cross_signing", map[string]any{"password": password}, &res); err != nil {
		return fmt.Errorf("failed to bootstrap cross-signing: %w", err)
	}
	if !res.Ready {
		return fmt.Errorf("failed to bootstrap cross-signing: the SDK reports it not ready afterwards")
	}
	return nil
}

// DeviceStatus is the js-sdk's trust in one device.
type DeviceStatus struct {
	Known                bool `json:"known"`    // tracked: own device, or of a user sharing an encrypted room
	Verified             bool `json:"verified"` // cross-signing verified or locally verified
	CrossSigningVerified bool `json:"cross_signing_verified"`
	LocallyVerified      bool `json:"locally_verified"`
	SignedByOwner        bool `json:"signed_by_owner"` // signed by its owner's self-signing key
}

// DeviceStatus asks the SDK how it trusts a device. The SDK's view changes a
// moment after a verification or a cross-signing upload (a /keys/query
// round trip): poll when waiting for a change.
func (p *Peer) DeviceStatus(ctx context.Context, userID, deviceID string) (DeviceStatus, error) {
	var st DeviceStatus
	err := p.call(ctx, "device_verified", map[string]any{"user_id": userID, "device_id": deviceID}, &st)
	if err != nil {
		return st, fmt.Errorf("failed to get the status of %s/%s: %w", userID, deviceID, err)
	}
	return st, nil
}

// DeviceVerified reports whether the peer considers the device verified.
func (p *Peer) DeviceVerified(ctx context.Context, userID, deviceID string) (bool, error) {
	st, err := p.DeviceStatus(ctx, userID, deviceID)
	return st.Verified, err
}
