package session

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// UserTrustState is how far we trust a user's cross-signing identity.
type UserTrustState string

// User trust states.
const (
	// UserVerified: we verified the user's master key (our user-signing key signed it), or it is
	// us and this device is cross-signed by our trusted keys.
	UserVerified UserTrustState = "verified"
	// UserUnverified: the user has cross-signing keys, but we have not verified them.
	UserUnverified UserTrustState = "unverified"
	// UserNoCrossSigning: the user has no cross-signing keys.
	UserNoCrossSigning UserTrustState = "no_cross_signing"
	// UserIdentityChanged: the user's master key differs from the one we pinned (the first seen,
	// the acknowledged or the verified one). AcknowledgeIdentity pins the new key; verifying the
	// user again pins it as verified.
	UserIdentityChanged UserTrustState = "identity_changed"
)

// UserTrustInfo is a user's identity as we trust it, with their devices.
type UserTrustInfo struct {
	UserID id.UserID
	State  UserTrustState
	// MasterKey is the user's current master cross-signing key ("" without cross-signing).
	MasterKey string
	// PinnedKey is the master key we pinned; it differs from MasterKey when the identity changed.
	PinnedKey string
	// WasVerified: we had verified PinnedKey (with State identity_changed: a verified user's
	// identity changed, the stronger warning).
	WasVerified bool
	Devices     []DeviceInfo
}

// UserTrust fetches userID's keys ("" for our own user) and reports how we trust their identity
// and each of their devices. A user seen for the first time is pinned (trust on first use).
func (s *Session) UserTrust(ctx context.Context, userID id.UserID) (UserTrustInfo, error) {
	if s.e2ee == nil {
		return UserTrustInfo{}, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	if userID == "" {
		userID = s.account.UserID
	}
	ident, err := s.e2ee.Identity(ctx, userID)
	if err != nil {
		return UserTrustInfo{}, fmt.Errorf("failed to get the identity of %s: %w", userID, err)
	}
	info, isNew, err := s.checkIdentity(ctx, ident)
	if err != nil {
		return UserTrustInfo{}, err
	}
	if isNew {
		s.log.Warn().Str("user_id", userID.String()).Msg("Cross-signing identity changed")
		s.bus.notify()
	}
	for _, d := range ident.Devices {
		info.Devices = append(info.Devices, DeviceInfo{DeviceID: d.DeviceID, Name: d.Name, Verified: d.Verified,
			CrossSigned: d.CrossSigned, Trust: d.Trust.String()})
	}
	return info, nil
}

// AcknowledgeIdentity accepts userID's current master key after an identity change: it becomes the
// pinned key (unverified until the user is verified again).
func (s *Session) AcknowledgeIdentity(ctx context.Context, userID id.UserID) error {
	if s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	ident, err := s.e2ee.CachedIdentity(ctx, userID)
	if err != nil {
		return fmt.Errorf("failed to acknowledge the identity of %s: %w", userID, err)
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if ident.MasterKey == "" {
			return tx.DeleteIdentityPin(userID.String())
		}
		return tx.SetIdentityPin(store.IdentityPin{UserID: userID.String(), MasterKey: ident.MasterKey.String(), Verified: ident.Verified})
	})
	if err != nil {
		return fmt.Errorf("failed to acknowledge the identity of %s: %w", userID, err)
	}
	return nil
}

// onDeviceListsChanged runs on the sync goroutine after the keys of users whose device lists
// changed were fetched: each user gets a devices change, and a new master key of a pinned user is
// recorded as an identity_changed change (all in one transaction).
func (s *Session) onDeviceListsChanged(ctx context.Context, users []id.UserID) {
	idents := make(map[id.UserID]e2ee.Identity, len(users))
	for _, u := range users {
		ident, err := s.e2ee.CachedIdentity(ctx, u)
		if err != nil {
			s.log.Warn().Err(err).Str("user_id", u.String()).Msg("Checking an identity failed")
			continue // recorded as a devices change only
		}
		idents[u] = ident
	}
	var changedIDs []id.UserID
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		changedIDs = changedIDs[:0]
		for _, u := range users {
			if _, err := tx.AddChange(string(ChangeDevices), "", u.String()); err != nil {
				return err
			}
			ident, ok := idents[u]
			if !ok {
				continue
			}
			if _, isNew, err := checkIdentityTx(tx, ident); err != nil {
				return err
			} else if isNew {
				changedIDs = append(changedIDs, ident.UserID)
			}
		}
		return nil
	})
	if err != nil {
		s.log.Warn().Err(err).Msg("Recording device list changes failed")
		return
	}
	for _, u := range changedIDs {
		s.log.Warn().Str("user_id", u.String()).Msg("Cross-signing identity changed")
	}
	s.bus.notify()
}

// checkIdentity is checkIdentityTx in a transaction of its own.
func (s *Session) checkIdentity(ctx context.Context, ident e2ee.Identity) (info UserTrustInfo, isNew bool, err error) {
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		info, isNew, err = checkIdentityTx(tx, ident)
		return err
	})
	if err != nil {
		return UserTrustInfo{}, false, err
	}
	return info, isNew, nil
}

// checkIdentityTx compares ident with the pinned identity, updates the pin and, when a changed
// master key is seen for the first time, records an identity_changed change (isNew).
func checkIdentityTx(tx *store.Tx, ident e2ee.Identity) (info UserTrustInfo, isNew bool, err error) {
	pin, pinned, err := tx.IdentityPin(ident.UserID.String())
	if err != nil {
		return UserTrustInfo{}, false, fmt.Errorf("failed to check the identity of %s: %w", ident.UserID, err)
	}
	info, next, write := evaluateIdentity(pin, pinned, ident)
	if !write {
		return info, false, nil
	}
	if err := tx.SetIdentityPin(next); err != nil {
		return UserTrustInfo{}, false, fmt.Errorf("failed to check the identity of %s: %w", ident.UserID, err)
	}
	if info.State == UserIdentityChanged && next.SeenKey != pin.SeenKey {
		if _, err := tx.AddChange(string(ChangeIdentityChanged), "", ident.UserID.String()); err != nil {
			return UserTrustInfo{}, false, fmt.Errorf("failed to record the identity change of %s: %w", ident.UserID, err)
		}
		isNew = true
	}
	return info, isNew, nil
}

// evaluateIdentity decides the trust state from the pin (pinned: there is one) and the identity
// as the crypto store has it, and returns the pin to store when write is set.
func evaluateIdentity(pin store.IdentityPin, pinned bool, cur e2ee.Identity) (info UserTrustInfo, next store.IdentityPin, write bool) {
	info = UserTrustInfo{UserID: cur.UserID, MasterKey: cur.MasterKey.String()}
	if pinned {
		info.PinnedKey, info.WasVerified = pin.MasterKey, pin.Verified
	}
	if cur.MasterKey == "" {
		info.State = UserNoCrossSigning
		if pinned {
			// Keys do not vanish from the crypto store: a pinned user without keys is no
			// ordinary state, so it is not shown as harmless.
			info.State = UserIdentityChanged
		}
		return info, pin, false
	}
	if !pinned {
		// Trust on first use: pin the first master key this device saw (the crypto store
		// remembers it even from before pinning existed).
		first := cur.FirstMasterKey
		if first == "" {
			first = cur.MasterKey
		}
		pin = store.IdentityPin{UserID: cur.UserID.String(), MasterKey: first.String(), Verified: cur.Verified && first == cur.MasterKey}
		info.PinnedKey, info.WasVerified = pin.MasterKey, pin.Verified
		write = true
	}
	next = pin
	switch {
	case cur.Verified:
		// Verified now (also after a change: verifying again accepts the new key).
		next = store.IdentityPin{UserID: pin.UserID, MasterKey: cur.MasterKey.String(), Verified: true}
		info.State, info.PinnedKey, info.WasVerified = UserVerified, next.MasterKey, true
	case pin.MasterKey == cur.MasterKey.String():
		next.Verified, next.SeenKey = false, ""
		info.State, info.WasVerified = UserUnverified, false
	default:
		next.SeenKey = cur.MasterKey.String()
		info.State = UserIdentityChanged
	}
	return info, next, write || next != pin
}
