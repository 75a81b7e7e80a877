package crypto

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"maunium.net/go/mautrix"
	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/ssss"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Secret storage (m.secret_storage.v1.aes-hmac-sha2) holds, as Element and matrix-js-sdk keep
// them, the private cross-signing keys (m.cross_signing.master, .self_signing, .user_signing)
// and the key backup's key, each encrypted with the default secret storage key that the
// recovery key (or its passphrase) unlocks.

// SecretStorageKey is an unlocked secret storage key. It lives in memory only, for one action.
type SecretStorageKey struct {
	key *ssss.Key
}

// ErrNoCrossSigningInSecretStorage means secret storage holds no cross-signing keys (or not
// all three), so a device cannot sign itself with the recovery key.
var ErrNoCrossSigningInSecretStorage = errors.New("secret storage holds no cross-signing keys")

// ErrCrossSigningMismatch means the cross-signing keys in secret storage are not those of the
// identity published on the server (left over from an older identity): they are not used.
var ErrCrossSigningMismatch = errors.New("the cross-signing keys in secret storage do not match the published identity")

// UnlockSecretStorage checks a recovery key (or the passphrase) against the default secret
// storage key. A wrong one gives an error matching ErrWrongRecoveryKey.
func (m *Machine) UnlockSecretStorage(ctx context.Context, recoveryKeyOrPassphrase string) (*SecretStorageKey, error) {
	keyID, keyData, err := m.mach.SSSS.GetDefaultKeyData(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to find secret storage (no key backup set up?): %w", err)
	}
	key, err := keyData.VerifyRecoveryKey(keyID, strings.TrimSpace(recoveryKeyOrPassphrase))
	if err != nil && keyData.Passphrase != nil {
		key, err = keyData.VerifyPassphrase(keyID, recoveryKeyOrPassphrase)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrongRecoveryKey, err)
	}
	return &SecretStorageKey{key: key}, nil
}

// HasSecretStorage reports whether the account has a default secret storage key.
func (m *Machine) HasSecretStorage(ctx context.Context) (bool, error) {
	_, err := m.mach.SSSS.GetDefaultKeyID(ctx)
	if errors.Is(err, ssss.ErrNoDefaultKeyID) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("failed to look for secret storage: %w", err)
	}
	return true, nil
}

// SyncCrossSigningSecrets brings this device and secret storage together, with key unlocked:
//   - this device holds the private keys of the published identity: they are put into secret
//     storage unless it holds them already (imported false);
//   - otherwise the keys are taken from secret storage, checked against the published public
//     keys, kept (sealed) and used to sign this device and, with the device key, the master key:
//     the device is verified for our other devices and for other users (imported true).
func (m *Machine) SyncCrossSigningSecrets(ctx context.Context, key *SecretStorageKey) (imported bool, err error) {
	published, err := m.publishedCrossSigningKeys(ctx)
	if err != nil {
		return false, err
	}
	if published == nil {
		return false, errors.New("failed to use secret storage: the account has no cross-signing keys on the server")
	}
	stored, storedErr := m.crossSigningFromSecretStorage(ctx, key)
	if own := m.mach.CrossSigningKeys; own != nil && *own.PublicKeys() == *published {
		if storedErr == nil && *stored.PublicKeys() == *published {
			return false, nil
		}
		if err := m.mach.UploadCrossSigningKeysToSSSS(ctx, key.key, own); err != nil {
			return false, fmt.Errorf("failed to store the cross-signing keys in secret storage: %w", err)
		}
		m.log.Info().Msg("Stored the cross-signing keys in secret storage")
		return false, nil
	}
	if storedErr != nil {
		return false, storedErr
	}
	if *stored.PublicKeys() != *published {
		return false, ErrCrossSigningMismatch
	}
	seeds := stored.Seeds()
	if err := m.mach.ImportCrossSigningKeys(seeds); err != nil {
		return false, fmt.Errorf("failed to import the cross-signing keys: %w", err)
	}
	if err := m.saveCrossSigningSeeds(ctx, seeds); err != nil {
		return false, err
	}
	if err := m.mach.SignOwnDevice(ctx, m.mach.OwnIdentity()); err != nil {
		return false, fmt.Errorf("failed to sign own device: %w", err)
	}
	if err := m.mach.SignOwnMasterKey(ctx); err != nil {
		return false, fmt.Errorf("failed to sign own master key: %w", err)
	}
	if _, err := m.fetchKeys(ctx, []id.UserID{m.mach.Client.UserID}); err != nil {
		return true, fmt.Errorf("failed to fetch own keys: %w", err)
	}
	m.log.Info().Msg("Imported the cross-signing keys from secret storage and signed this device")
	return true, nil
}

// ErrCrossSigningKeysNotHere means the account has cross-signing keys but this device does not
// hold their private parts (it is not verified yet), so it cannot set up new secret storage.
var ErrCrossSigningKeysNotHere = errors.New("this device does not hold the account's cross-signing keys (verify it first with another device or the recovery key)")

// checkHoldsCrossSigningKeys fails with ErrCrossSigningKeysNotHere when the account has
// published cross-signing keys whose private parts this device does not hold.
func (m *Machine) checkHoldsCrossSigningKeys(ctx context.Context) error {
	published, err := m.publishedCrossSigningKeys(ctx)
	if err != nil || published == nil {
		return err
	}
	if own := m.mach.CrossSigningKeys; own == nil || *own.PublicKeys() != *published {
		return ErrCrossSigningKeysNotHere
	}
	return nil
}

// storeCrossSigningSecrets puts the private cross-signing keys this device holds (if any) into
// secret storage under key.
func (m *Machine) storeCrossSigningSecrets(ctx context.Context, key *ssss.Key) error {
	own := m.mach.CrossSigningKeys
	if own == nil {
		return nil // the account has no cross-signing keys (checkHoldsCrossSigningKeys)
	}
	if err := m.mach.UploadCrossSigningKeysToSSSS(ctx, key, own); err != nil {
		return fmt.Errorf("failed to store the cross-signing keys in secret storage: %w", err)
	}
	return nil
}

// publishedCrossSigningKeys asks the server for our cross-signing public keys (nil: none).
func (m *Machine) publishedCrossSigningKeys(ctx context.Context) (*mcrypto.CrossSigningPublicKeysCache, error) {
	uid := m.mach.Client.UserID
	resp, err := m.mach.Client.QueryKeys(ctx, &mautrix.ReqQueryKeys{DeviceKeys: mautrix.DeviceKeysRequest{uid: {}}})
	if err != nil {
		return nil, fmt.Errorf("failed to query cross-signing keys: %w", err)
	}
	msk, ok1 := resp.MasterKeys[uid]
	ssk, ok2 := resp.SelfSigningKeys[uid]
	usk, ok3 := resp.UserSigningKeys[uid]
	if !ok1 || !ok2 || !ok3 {
		return nil, nil
	}
	return &mcrypto.CrossSigningPublicKeysCache{MasterKey: msk.FirstKey(), SelfSigningKey: ssk.FirstKey(),
		UserSigningKey: usk.FirstKey()}, nil
}

// crossSigningFromSecretStorage reads and decrypts the three private cross-signing keys.
func (m *Machine) crossSigningFromSecretStorage(ctx context.Context, key *SecretStorageKey) (*mcrypto.CrossSigningKeysCache, error) {
	var seeds [3][]byte
	for i, t := range []event.Type{event.AccountDataCrossSigningMaster, event.AccountDataCrossSigningSelf, event.AccountDataCrossSigningUser} {
		seed, err := m.mach.SSSS.GetDecryptedAccountData(ctx, t, key.key)
		if errors.Is(err, mautrix.MNotFound) {
			return nil, ErrNoCrossSigningInSecretStorage
		}
		if err != nil {
			return nil, fmt.Errorf("failed to read %s from secret storage: %w", t.Type, err)
		}
		if len(seed) != 32 {
			return nil, fmt.Errorf("failed to read %s from secret storage: %d bytes instead of 32", t.Type, len(seed))
		}
		seeds[i] = seed
	}
	s := mcrypto.CrossSigningSeeds{MasterKey: seeds[0], SelfSigningKey: seeds[1], UserSigningKey: seeds[2]}
	keys, err := s.Decode()
	if err != nil {
		return nil, fmt.Errorf("failed to decode the cross-signing keys from secret storage: %w", err)
	}
	return &keys, nil
}
