package session

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// LockedReason is the decryption error (TimelineEvent.DecryptionError; in Message.DecryptionReason
// ReasonDeviceLocked) of encrypted events that were not decrypted
// because policy requires this device to be verified first (Config.RequireDeviceVerification).
// They are decrypted in place once it is.
const LockedReason = "device not verified"

// deviceGate is this device's own verification state, as Config.RequireDeviceVerification needs it.
type deviceGate struct {
	verified atomic.Bool
	known    atomic.Bool // verified was computed at least once
	// recheck: the state was unverified at open; the first sync asks the server once, as our
	// other device may have signed this one while we were not running.
	recheck atomic.Bool
}

// DeviceVerified reports whether this device is verified: signed by our self-signing key, with
// our master key trusted here. It changes (with a ChangeDeviceVerified event) when a
// verification with another device of ours or the recovery key (RestoreKeyBackup,
// VerifyWithRecoveryKey) signs it. It never asks the server.
func (s *Session) DeviceVerified() bool { return s.gate.verified.Load() }

// DeviceLocked reports whether policy (Config.RequireDeviceVerification) keeps this device from
// sending and reading until it is verified; front ends show that and offer verification.
func (s *Session) DeviceLocked() bool { return s.deviceLocked() }

// deviceLocked reports whether policy keeps this device from sending and reading.
func (s *Session) deviceLocked() bool {
	return s.cfg.RequireDeviceVerification && !s.gate.verified.Load()
}

// checkDeviceGate fails with ErrDeviceNotVerified while the device is locked.
func (s *Session) checkDeviceGate() error {
	if s.deviceLocked() {
		return fmt.Errorf("%w; nothing was sent", ErrDeviceNotVerified)
	}
	return nil
}

// initDeviceGate computes the state when the crypto machine opens and blocks answering key
// requests while the device is locked.
func (s *Session) initDeviceGate(ctx context.Context) {
	s.e2ee.SetKeyShareGate(s.deviceLocked)
	s.refreshDeviceGate(ctx, false)
	s.gate.recheck.Store(!s.gate.verified.Load())
}

// refreshDeviceGate recomputes the state (asking the server for our keys first when fetch is
// set). A change is recorded as ChangeDeviceVerified; when the device becomes verified, the
// events held back are decrypted and missing keys are asked for again.
func (s *Session) refreshDeviceGate(ctx context.Context, fetch bool) {
	if s.e2ee == nil {
		return
	}
	if fetch {
		if err := s.e2ee.RefreshOwnKeys(ctx); err != nil {
			s.log.Warn().Err(err).Msg("Fetching own keys failed")
		}
	}
	ok, err := s.e2ee.OwnDeviceVerified(ctx)
	if err != nil {
		s.log.Warn().Err(err).Msg("Checking whether this device is verified failed")
		return
	}
	was := s.gate.verified.Swap(ok)
	if !s.gate.known.Swap(true) || was == ok {
		return
	}
	s.log.Info().Bool("verified", ok).Msg("This device's verification changed")
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.AddChange(string(ChangeDeviceVerified), "", "")
		return err
	})
	if err != nil {
		s.log.Warn().Err(err).Msg("Recording the device verification change failed")
	}
	s.bus.notify()
	if ok && s.cfg.RequireDeviceVerification {
		if err := s.retryUndecrypted(ctx, nil); err != nil {
			s.log.Warn().Err(err).Msg("Decrypting the held-back events failed")
		}
		s.rerequestKeys(ctx)
	}
}

// ownKeysChanged refreshes the state when a sync reports our own device list changed (another
// device of ours signed this one, or our identity changed).
func (s *Session) ownKeysChanged(ctx context.Context, users []id.UserID) {
	if slices.Contains(users, s.account.UserID) {
		s.refreshDeviceGate(ctx, false)
	}
}

// decrypt decrypts an encrypted room event, unless the device is locked: then the event is
// only marked (LockedReason), with its session, to be decrypted once it is verified.
func (s *Session) decrypt(ctx context.Context, roomID id.RoomID, raw json.RawMessage) e2ee.Decrypted {
	if !s.deviceLocked() {
		return s.e2ee.Decrypt(ctx, roomID, raw)
	}
	var ev struct {
		Content struct {
			SessionID id.SessionID `json:"session_id"`
			SenderKey id.SenderKey `json:"sender_key"`
		} `json:"content"`
	}
	_ = json.Unmarshal(raw, &ev)
	d := e2ee.Decrypted{RoomID: roomID, SessionID: ev.Content.SessionID, SenderKey: ev.Content.SenderKey,
		Error: LockedReason, Reason: e2ee.ReasonDeviceLocked}
	// A key we do not have is asked for now; our devices answer once this one is verified.
	d.SessionUnknown = d.SessionID != "" && !s.e2ee.HasSession(ctx, roomID, d.SessionID)
	return d
}

// VerifyWithRecoveryKey unlocks secret storage with the recovery key (or its passphrase), takes
// the cross-signing keys from it and signs this device: it becomes verified for our other
// devices and other users. A device that holds the keys already puts them into secret storage
// instead (when missing there).
func (s *Session) VerifyWithRecoveryKey(ctx context.Context, recoveryKeyOrPassphrase string) error {
	if s.e2ee == nil {
		return fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	key, err := s.e2ee.UnlockSecretStorage(ctx, recoveryKeyOrPassphrase)
	if err != nil {
		return err
	}
	return s.syncCrossSigningSecrets(ctx, key)
}

// syncCrossSigningSecrets imports the cross-signing keys from unlocked secret storage (or puts
// ours there) and updates the device state.
func (s *Session) syncCrossSigningSecrets(ctx context.Context, key *e2ee.SecretStorageKey) error {
	imported, err := s.e2ee.SyncCrossSigningSecrets(ctx, key)
	if imported {
		s.refreshDeviceGate(ctx, false)
	}
	if err != nil {
		return fmt.Errorf("failed to verify this device with the recovery key: %w", err)
	}
	return nil
}
