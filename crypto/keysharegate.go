package crypto

import (
	"context"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// SetKeyShareGate makes the machine ignore every room key request (from our other devices and
// from other users) while blocked reports true, for example while this device is not verified
// and policy requires verification before use. Call it once, before syncing starts.
func (m *Machine) SetKeyShareGate(blocked func() bool) {
	allow := m.mach.AllowKeyShare
	m.mach.AllowKeyShare = func(ctx context.Context, dev *id.Device, info event.RequestedKeyInfo) *mcrypto.KeyShareRejection {
		if blocked() {
			m.log.Debug().Msg("Ignoring a room key request: this device is not verified")
			return &mcrypto.KeyShareRejectNoResponse
		}
		return allow(ctx, dev, info)
	}
}

// RefreshOwnKeys fetches our own devices and cross-signing keys from the server (and tracks
// them from then on), so OwnDeviceVerified sees signatures made by our other devices.
func (m *Machine) RefreshOwnKeys(ctx context.Context) error {
	m.devicesMu.Lock()
	defer m.devicesMu.Unlock()
	if _, err := m.fetchKeys(ctx, []id.UserID{m.mach.Client.UserID}); err != nil {
		return err
	}
	return nil
}

// OwnDeviceVerified reports, from the crypto store only (no request), whether this device is
// signed by our self-signing key and our master key is trusted here (we hold the private keys,
// or this device signed the master key after verifying with another device of ours).
func (m *Machine) OwnDeviceVerified(ctx context.Context) (bool, error) {
	ident, err := m.CachedIdentity(ctx, m.mach.Client.UserID)
	if err != nil {
		return false, err
	}
	return ident.Verified, nil
}
