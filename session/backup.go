package session

import (
	"context"
	"fmt"

	e2ee "bosmessenger/crypto"
)

// CreateKeyBackup sets up secret storage and server-side key backup, uploads all room keys this
// device has, and returns the recovery key the user must keep. Keys that arrive later are added
// to the backup after each sync.
func (s *Session) CreateKeyBackup(ctx context.Context, passphrase string) (recoveryKey string, err error) {
	if s.e2ee == nil {
		return "", fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	recoveryKey, version, err := s.e2ee.CreateKeyBackup(ctx, passphrase)
	if err != nil {
		return "", s.classify("create key backup", err)
	}
	s.log.Info().Str("version", string(version)).Msg("Key backup created")
	return recoveryKey, nil
}

// RestoreKeyBackup unlocks secret storage with the recovery key or passphrase. It takes our
// cross-signing keys from it and signs this device with them (it becomes verified, see
// VerifyWithRecoveryKey), then imports the room keys of the server-side backup and decrypts the
// stored messages that were waiting for them. A device that cannot sign itself (secret storage
// holds no cross-signing keys) still restores the backup; with RequireDeviceVerification the
// error then says why it stays locked (ErrDeviceNotVerified).
func (s *Session) RestoreKeyBackup(ctx context.Context, recoveryKeyOrPassphrase string) error {
	if s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	key, err := s.e2ee.UnlockSecretStorage(ctx, recoveryKeyOrPassphrase)
	if err != nil {
		return err
	}
	csErr := s.syncCrossSigningSecrets(ctx, key)
	if csErr != nil {
		s.log.Warn().Err(csErr).Msg("Cross-signing keys from secret storage not used")
	}
	if _, err := s.e2ee.RestoreKeyBackup(ctx, key); err != nil {
		return s.classify("restore key backup", err)
	}
	s.e2ee.TakeReceived()
	if err := s.retryUndecrypted(ctx, nil); err != nil {
		return err
	}
	if csErr != nil && s.deviceLocked() {
		return fmt.Errorf("%w: %v", ErrDeviceNotVerified, csErr)
	}
	return nil
}

// backupNewKeys adds room keys to the key backup (when there is one).
func (s *Session) backupNewKeys(ctx context.Context) {
	if s.e2ee == nil || !s.e2ee.BackupEnabled() {
		return
	}
	if _, err := s.e2ee.BackupRoomKeys(ctx); err != nil {
		s.log.Warn().Err(err).Msg("Backing up room keys failed")
	}
}

// KeyBackupStatus describes the server's current key backup (version, number of keys, whether
// it is signed by us so that other devices trust it, whether this device writes into it).
type KeyBackupStatus = e2ee.KeyBackupStatus

// keyBackupStatus fetches the current key backup version from the server.
func (s *Session) keyBackupStatus(ctx context.Context) (KeyBackupStatus, error) {
	if s.e2ee == nil {
		return KeyBackupStatus{}, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	st, err := s.e2ee.KeyBackupStatus(ctx)
	if err != nil {
		return st, s.classify("read key backup status", err)
	}
	return st, nil
}

// backupRoomKeys uploads the room keys that are not in the key backup yet and returns how many
// (syncs and sends do this by themselves; a key goes up only once).
func (s *Session) backupRoomKeys(ctx context.Context) (int, error) {
	if s.e2ee == nil {
		return 0, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	n, err := s.e2ee.BackupRoomKeys(ctx)
	if err != nil {
		return n, s.classify("back up room keys", err)
	}
	return n, nil
}
