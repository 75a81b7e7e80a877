package jspeer

import (
	"context"
	"fmt"
)

// Secret storage and server-side key backup (m.megolm_backup.v1.curve25519-aes-sha2).

// KeyBackupInfo is the SDK's view of the server's current key backup.
type KeyBackupInfo struct {
	Version string `json:"version"` // "" without a backup
	Count   int    `json:"count"`   // room keys in it
	// Trusted: signed by a verified device of the user or by its trusted master key (or its key
	// is known to the SDK).
	Trusted              bool `json:"trusted"`
	MatchesDecryptionKey bool `json:"matches_decryption_key"` // the SDK holds its private key
}

// SetupKeyBackup creates secret storage (its key derived from passphrase, random if "") holding
// the cross-signing keys and a new key backup, into which the SDK then uploads its room keys
// (WaitKeyBackup). It returns the recovery key (the secret storage key) and the backup version.
// The peer must be cross-signed (BootstrapCrossSigning).
func (p *Peer) SetupKeyBackup(ctx context.Context, passphrase string) (recoveryKey, version string, err error) {
	var res struct {
		RecoveryKey string `json:"recovery_key"`
		Version     string `json:"version"`
	}
	if err := p.call(ctx, "setup_key_backup", map[string]any{"passphrase": passphrase}, &res); err != nil {
		return "", "", fmt.Errorf("failed to set up key backup: %w", err)
	}
	return res.RecoveryKey, res.Version, nil
}

// WaitKeyBackup waits until the server's key backup holds at least minCount room keys.
func (p *Peer) WaitKeyBackup(ctx context.Context, minCount int) (KeyBackupInfo, error) {
	var info KeyBackupInfo
	if err := p.call(ctx, "wait_key_backup", map[string]any{"min_count": minCount}, &info); err != nil {
		return info, fmt.Errorf("failed to wait for the key backup: %w", err)
	}
	return info, nil
}

// KeyBackupInfo asks the SDK about the server's current key backup and whether it trusts it.
func (p *Peer) KeyBackupInfo(ctx context.Context) (KeyBackupInfo, error) {
	var info KeyBackupInfo
	if err := p.call(ctx, "key_backup_info", nil, &info); err != nil {
		return info, fmt.Errorf("failed to get the key backup info: %w", err)
	}
	return info, nil
}

// RestoreKeyBackup unlocks secret storage with the recovery key, loads the backup key from it
// and imports the room keys of the current backup; events waiting for them are decrypted. It
// returns how many keys the backup held and how many were imported.
func (p *Peer) RestoreKeyBackup(ctx context.Context, recoveryKey string) (total, imported int, err error) {
	var res struct {
		Total    int `json:"total"`
		Imported int `json:"imported"`
	}
	if err := p.call(ctx, "restore_key_backup", map[string]any{"recovery_key": recoveryKey}, &res); err != nil {
		return 0, 0, fmt.Errorf("failed to restore the key backup: %w", err)
	}
	return res.Total, res.Imported, nil
}

// RestoreCrossSigning unlocks secret storage with the recovery key, imports the cross-signing
// keys from it (never creating new ones) and signs the SDK's device with them, waiting until the
// SDK sees its device cross-signing verified. It returns the master key the SDK uses now.
func (p *Peer) RestoreCrossSigning(ctx context.Context, recoveryKey string) (masterKey string, err error) {
	var res struct {
		PrivateKeysCached bool   `json:"private_keys_cached"`
		MasterKey         string `json:"master_key"`
	}
	if err := p.call(ctx, "restore_cross_signing", map[string]any{"recovery_key": recoveryKey}, &res); err != nil {
		return "", fmt.Errorf("failed to restore cross-signing from secret storage: %w", err)
	}
	if !res.PrivateKeysCached {
		return res.MasterKey, fmt.Errorf("failed to restore cross-signing from secret storage: the SDK holds no private keys afterwards")
	}
	return res.MasterKey, nil
}
