package crypto

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"maunium.net/go/mautrix"
	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/backup"
	"maunium.net/go/mautrix/crypto/signatures"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// CreateKeyBackup sets up server-side key backup (m.megolm_backup.v1.curve25519-aes-sha2): a new
// backup key, stored in secret storage (m.secret_storage) under a new default key that the
// passphrase (or the returned recovery key) unlocks, together with the private cross-signing
// keys this device holds, a new backup version on the server, and all room keys this device
// knows uploaded into it. It returns the recovery key to show the user. A device that does not
// hold the account's cross-signing keys gets ErrCrossSigningKeysNotHere: the new default key
// would cut the keys in secret storage off from the recovery key.
func (m *Machine) CreateKeyBackup(ctx context.Context, passphrase string) (recoveryKey string, version id.KeyBackupVersion, err error) {
	if err := m.checkHoldsCrossSigningKeys(ctx); err != nil {
		return "", "", err
	}
	ssssKey, err := m.mach.SSSS.GenerateAndUploadKey(ctx, passphrase)
	if err != nil {
		return "", "", fmt.Errorf("failed to create secret storage key: %w", err)
	}
	if err := m.mach.SSSS.SetDefaultKeyID(ctx, ssssKey.ID); err != nil {
		return "", "", fmt.Errorf("failed to set default secret storage key: %w", err)
	}
	if err := m.storeCrossSigningSecrets(ctx, ssssKey); err != nil {
		return "", "", err
	}
	bk, err := backup.NewMegolmBackupKey()
	if err != nil {
		return "", "", fmt.Errorf("failed to create backup key: %w", err)
	}
	if err := m.mach.SSSS.SetEncryptedAccountData(ctx, event.AccountDataMegolmBackupKey, bk.Bytes(), ssssKey); err != nil {
		return "", "", fmt.Errorf("failed to store backup key in secret storage: %w", err)
	}
	authData, err := m.signedAuthData(bk)
	if err != nil {
		return "", "", err
	}
	resp, err := m.mach.Client.CreateKeyBackupVersion(ctx, &mautrix.ReqRoomKeysVersionCreate[backup.MegolmAuthData]{
		Algorithm: id.KeyBackupAlgorithmMegolmBackupV1,
		AuthData:  authData,
	})
	if err != nil {
		return "", "", fmt.Errorf("failed to create key backup version: %w", err)
	}
	m.mu.Lock()
	m.backupKey, m.backupVersion = bk, resp.Version
	m.mu.Unlock()
	if err := m.saveBackupKey(ctx); err != nil {
		return "", "", err
	}
	if _, err := m.BackupRoomKeys(ctx); err != nil {
		return "", "", err
	}
	return ssssKey.RecoveryKey(), resp.Version, nil
}

// signedAuthData is the auth_data of a new backup version with the backup key's public key,
// signed by this device and, when we hold it, by our master key: other clients (and our other
// devices) trust a backup signed by a verified device or the master key of its owner.
func (m *Machine) signedAuthData(bk *backup.MegolmBackupKey) (backup.MegolmAuthData, error) {
	auth := backup.MegolmAuthData{PublicKey: id.Ed25519(base64.RawStdEncoding.EncodeToString(bk.PublicKey().Bytes()))}
	me := m.mach.Client.UserID
	sigs := signatures.Signatures{me: {}}
	devSig, err := m.mach.GetAccount().SignJSON(auth)
	if err != nil {
		return auth, fmt.Errorf("failed to sign the key backup with the device key: %w", err)
	}
	sigs[me][id.NewKeyID(id.KeyAlgorithmEd25519, m.mach.Client.DeviceID.String())] = devSig
	if cs := m.mach.CrossSigningKeys; cs != nil && cs.MasterKey != nil {
		masterSig, err := cs.MasterKey.SignJSON(auth)
		if err != nil {
			return auth, fmt.Errorf("failed to sign the key backup with the master key: %w", err)
		}
		sigs[me][id.NewKeyID(id.KeyAlgorithmEd25519, cs.MasterKey.PublicKey().String())] = masterSig
	}
	auth.Signatures = sigs
	return auth, nil
}

// backupBatch is how many room keys go into one upload request.
const backupBatch = 250

// BackupRoomKeys uploads the room keys that are not in the current key backup yet (a no-op
// without one) and returns how many were uploaded. Each uploaded key is marked with the backup
// version in the crypto store (as are keys restored from the backup), so it is sent only once.
func (m *Machine) BackupRoomKeys(ctx context.Context) (int, error) {
	m.backupMu.Lock()
	defer m.backupMu.Unlock()
	m.mu.Lock()
	bk, version := m.backupKey, m.backupVersion
	m.mu.Unlock()
	if bk == nil {
		return 0, nil
	}
	sessions, err := m.mach.CryptoStore.GetGroupSessionsWithoutKeyBackupVersion(ctx, version).AsList()
	if err != nil {
		return 0, fmt.Errorf("failed to list room keys: %w", err)
	}
	n := 0
	for len(sessions) > 0 {
		batch := sessions[:min(backupBatch, len(sessions))]
		sessions = sessions[len(batch):]
		if err := m.uploadRoomKeys(ctx, bk, version, batch); err != nil {
			return n, err
		}
		n += len(batch)
	}
	return n, nil
}

// uploadRoomKeys puts sessions into backup version and marks them as backed up.
func (m *Machine) uploadRoomKeys(ctx context.Context, bk *backup.MegolmBackupKey, version id.KeyBackupVersion, sessions []*mcrypto.InboundGroupSession) error {
	req := &mautrix.ReqKeyBackup{Rooms: map[id.RoomID]mautrix.ReqRoomKeyBackup{}}
	for _, igs := range sessions {
		first := igs.Internal.FirstKnownIndex()
		key, err := igs.Internal.Export(first)
		if err != nil {
			return fmt.Errorf("failed to export room key: %w", err)
		}
		enc, err := backup.EncryptSessionData(bk, backup.MegolmSessionData{
			Algorithm:          id.AlgorithmMegolmV1,
			ForwardingKeyChain: igs.ForwardingChains,
			SenderClaimedKeys:  backup.SenderClaimedKeys{Ed25519: igs.SigningKey},
			SenderKey:          igs.SenderKey,
			SessionKey:         string(key),
			SharedHistory:      igs.SharedHistory,
		})
		if err != nil {
			return fmt.Errorf("failed to encrypt room key for backup: %w", err)
		}
		raw, err := json.Marshal(enc)
		if err != nil {
			return fmt.Errorf("failed to encode room key for backup: %w", err)
		}
		room := req.Rooms[igs.RoomID]
		if room.Sessions == nil {
			room.Sessions = map[id.SessionID]mautrix.ReqKeyBackupData{}
		}
		room.Sessions[igs.ID()] = mautrix.ReqKeyBackupData{FirstMessageIndex: int(first),
			ForwardedCount: len(igs.ForwardingChains), SessionData: raw}
		req.Rooms[igs.RoomID] = room
	}
	if _, err := m.mach.Client.PutKeysInBackup(ctx, version, req); err != nil {
		return fmt.Errorf("failed to upload room keys to the backup: %w", err)
	}
	cs, ok := m.mach.CryptoStore.(interface {
		SetGroupSessionKeyBackupVersion(context.Context, id.SessionID, id.KeyBackupVersion) error
	})
	if !ok {
		return nil
	}
	for _, igs := range sessions {
		if err := cs.SetGroupSessionKeyBackupVersion(ctx, igs.ID(), version); err != nil {
			return fmt.Errorf("failed to mark room key as backed up: %w", err)
		}
	}
	return nil
}

// KeyBackupStatus describes the server's current key backup as this device sees it.
type KeyBackupStatus struct {
	Version id.KeyBackupVersion // "" when there is no backup
	Count   int                 // room keys in it
	// Signed: its auth_data carries a valid signature of our master key or of a verified device
	// of ours, so other devices trust it.
	Signed bool
	// Enabled: this device holds the backup's key and writes room keys into it.
	Enabled bool
}

// KeyBackupStatus fetches the current key backup version from the server.
func (m *Machine) KeyBackupStatus(ctx context.Context) (KeyBackupStatus, error) {
	info, err := m.mach.Client.GetKeyBackupLatestVersion(ctx)
	if err != nil {
		if errors.Is(err, mautrix.MNotFound) {
			return KeyBackupStatus{}, nil
		}
		return KeyBackupStatus{}, fmt.Errorf("failed to get the key backup version: %w", err)
	}
	st := KeyBackupStatus{Version: info.Version, Count: info.Count}
	if _, err := m.mach.GetAndVerifyLatestKeyBackupVersion(ctx, nil); err == nil {
		st.Signed = true
	}
	m.mu.Lock()
	if m.backupKey != nil && m.backupVersion == info.Version {
		st.Enabled = info.AuthData.PublicKey == id.Ed25519(base64.RawStdEncoding.EncodeToString(m.backupKey.PublicKey().Bytes()))
	}
	m.mu.Unlock()
	return st, nil
}

// RestoreKeyBackup takes the backup key from secret storage, unlocked with key, and imports all
// room keys of the latest backup. It keeps the backup key so that later keys of this device go
// into the same backup.
func (m *Machine) RestoreKeyBackup(ctx context.Context, key *SecretStorageKey) (version id.KeyBackupVersion, err error) {
	raw, err := m.mach.SSSS.GetDecryptedAccountData(ctx, event.AccountDataMegolmBackupKey, key.key)
	if err != nil {
		return "", fmt.Errorf("failed to read the backup key from secret storage: %w", err)
	}
	bk, err := backup.MegolmBackupKeyFromBytes(raw)
	if err != nil {
		return "", fmt.Errorf("failed to read the backup key: %w", err)
	}
	version, err = m.mach.DownloadAndStoreLatestKeyBackup(ctx, bk)
	if err != nil {
		return "", fmt.Errorf("failed to restore the key backup: %w", err)
	}
	m.mu.Lock()
	m.backupKey, m.backupVersion = bk, version
	m.mu.Unlock()
	return version, m.saveBackupKey(ctx)
}

// ErrWrongRecoveryKey means neither recovery key nor passphrase unlocked secret storage.
var ErrWrongRecoveryKey = errors.New("wrong recovery key or passphrase")

// keyBackupKV is where the backup key and version are kept, sealed, in the account store.
const keyBackupKV = "key_backup"

type savedBackup struct {
	Key     []byte              `json:"key"`
	Version id.KeyBackupVersion `json:"version"`
}

func (m *Machine) saveBackupKey(ctx context.Context) error {
	m.mu.Lock()
	saved := savedBackup{Key: m.backupKey.Bytes(), Version: m.backupVersion}
	m.mu.Unlock()
	data, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	err = m.rooms.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetValue(keyBackupKV, string(data)) })
	if err != nil {
		return fmt.Errorf("failed to save the backup key: %w", err)
	}
	return nil
}

// loadBackupKey restores the backup key saved by CreateKeyBackup or RestoreKeyBackup.
func (m *Machine) loadBackupKey(ctx context.Context) error {
	var data string
	err := m.rooms.db.Read(ctx, func(tx *store.Tx) (err error) {
		data, err = tx.Value(keyBackupKV)
		return err
	})
	if err != nil || data == "" {
		return err
	}
	var saved savedBackup
	if err := json.Unmarshal([]byte(data), &saved); err != nil {
		return fmt.Errorf("failed to decode the backup key: %w", err)
	}
	bk, err := backup.MegolmBackupKeyFromBytes(saved.Key)
	if err != nil {
		return fmt.Errorf("failed to decode the backup key: %w", err)
	}
	m.mu.Lock()
	m.backupKey, m.backupVersion = bk, saved.Version
	m.mu.Unlock()
	return nil
}

// BackupEnabled reports whether this device writes room keys into a key backup.
func (m *Machine) BackupEnabled() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.backupKey != nil
}
