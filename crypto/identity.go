package crypto

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// Identity is a user's cross-signing identity as this device sees it.
type Identity struct {
	UserID id.UserID
	// MasterKey is the user's current master cross-signing key ("" when the user has none).
	MasterKey id.Ed25519
	// FirstMasterKey is the master key this device saw first for the user (mautrix's
	// trust-on-first-use record); it differs from MasterKey once the identity changed.
	FirstMasterKey id.Ed25519
	// Verified: our user-signing key signed MasterKey. For our own user: MasterKey is the key we
	// trust (the one our private keys or our verified device belong to) and this device is signed
	// by our self-signing key.
	Verified bool
	Devices  []Device
}

// Identity fetches userID's keys from the server and reports their identity and devices.
func (m *Machine) Identity(ctx context.Context, userID id.UserID) (Identity, error) {
	devs, err := m.Devices(ctx, userID)
	if err != nil {
		return Identity{}, err
	}
	ident, err := m.CachedIdentity(ctx, userID)
	if err != nil {
		return Identity{}, err
	}
	ident.Devices = devs
	return ident, nil
}

// CachedIdentity reports userID's identity from the crypto store, without asking the server and
// without the device list (sync keeps the store current for users whose devices we track).
func (m *Machine) CachedIdentity(ctx context.Context, userID id.UserID) (Identity, error) {
	keys, err := m.mach.CryptoStore.GetCrossSigningKeys(ctx, userID)
	if err != nil {
		return Identity{}, fmt.Errorf("failed to read the cross-signing keys of %s: %w", userID, err)
	}
	ident := Identity{UserID: userID}
	msk, ok := keys[id.XSUsageMaster]
	if !ok {
		return ident, nil
	}
	ident.MasterKey, ident.FirstMasterKey = msk.Key, msk.First
	if userID == m.mach.Client.UserID {
		ident.Verified, err = m.ownIdentityVerified(ctx, msk.Key)
	} else {
		ident.Verified, err = m.isUserTrusted(ctx, userID)
	}
	if err != nil {
		return Identity{}, fmt.Errorf("failed to check whether %s is verified: %w", userID, err)
	}
	return ident, nil
}

// ownIdentityVerified reports whether masterKey (our master key as the server has it) is the one
// we trust and this device is signed by our self-signing key.
func (m *Machine) ownIdentityVerified(ctx context.Context, masterKey id.Ed25519) (bool, error) {
	own, err := m.ownCrossSigningPublicKeys(ctx)
	if err != nil || own == nil || own.MasterKey != masterKey {
		return false, err
	}
	trusted, err := m.isUserTrusted(ctx, m.mach.Client.UserID)
	if err != nil || !trusted {
		return false, err
	}
	return m.mach.CryptoStore.IsKeySignedBy(ctx, m.mach.Client.UserID, m.mach.OwnIdentity().SigningKey,
		m.mach.Client.UserID, own.SelfSigningKey)
}

// OnDeviceListsChanged sets fn to be called after a sync response's device list changes were
// handled (the keys of the changed users we track are fetched and stored by then). fn runs on the
// sync goroutine.
func (m *Machine) OnDeviceListsChanged(fn func(ctx context.Context, users []id.UserID)) {
	m.mu.Lock()
	m.listsChanged = fn
	m.mu.Unlock()
}

// notifyDeviceLists calls the OnDeviceListsChanged callback, if any, for users.
func (m *Machine) notifyDeviceLists(ctx context.Context, users []id.UserID) {
	if len(users) == 0 {
		return
	}
	m.mu.Lock()
	fn := m.listsChanged
	m.mu.Unlock()
	if fn != nil {
		fn(ctx, users)
	}
}
