package crypto

import (
	"context"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/id"
)

// mautrix v0.32.0 caches our own cross-signing public keys in an unguarded field that its trust
// checks fill on first use (OlmMachine.GetOwnCrossSigningPublicKeys, reached from IsUserTrusted
// and ResolveTrustContext too). Two of our goroutines checking trust at once (the sync loop's
// device-list callback and a front end asking for a user's trust) raced on it (found by -race in
// TestSASWithJSConfirmedAfterTheirMAC), so every trust check of ours goes through trustMu.

// fetchKeys is mautrix's FetchKeys under trustMu: the key query stores cross-signing keys
// (storeCrossSigningKeys), which reads the same unguarded field (found by -race in
// TestWhoamiDeviceVerifiedAfterSelfVerify: a verification request's key query beside the sync
// loop's device-gate check).
func (m *Machine) fetchKeys(ctx context.Context, users []id.UserID) (map[id.UserID]map[id.DeviceID]*id.Device, error) {
	m.trustMu.Lock()
	defer m.trustMu.Unlock()
	return m.mach.FetchKeys(ctx, users, true)
}

// ownCrossSigningPublicKeys is mautrix's GetOwnCrossSigningPublicKeys under trustMu.
func (m *Machine) ownCrossSigningPublicKeys(ctx context.Context) (*mcrypto.CrossSigningPublicKeysCache, error) {
	m.trustMu.Lock()
	defer m.trustMu.Unlock()
	return m.mach.GetOwnCrossSigningPublicKeys(ctx)
}

// isUserTrusted is mautrix's IsUserTrusted under trustMu.
func (m *Machine) isUserTrusted(ctx context.Context, userID id.UserID) (bool, error) {
	m.trustMu.Lock()
	defer m.trustMu.Unlock()
	return m.mach.IsUserTrusted(ctx, userID)
}

// resolveTrust is mautrix's ResolveTrustContext under trustMu.
func (m *Machine) resolveTrust(ctx context.Context, dev *id.Device) (id.TrustState, error) {
	m.trustMu.Lock()
	defer m.trustMu.Unlock()
	return m.mach.ResolveTrustContext(ctx, dev)
}
