package session

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// AccessTokenForTest exposes the access token to tests that check it never reaches the disk.
func (s *Session) AccessTokenForTest() string { return s.cli.AccessToken }

// ForgetPlaintextForTest puts an event back into the state "waiting for its key", as if the
// process had died after the key was stored but before the event was decrypted again.
func (s *Session) ForgetPlaintextForTest(ctx context.Context, eventID string) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		ev, _, err := tx.EventByID(eventID)
		if err != nil {
			return err
		}
		return tx.SetDecryption(eventID, ev.MegolmSessionID, "", nil, "the key for this message has not arrived (missing session)",
			string(e2ee.ReasonMissingKey), 0)
	})
}

// CrossSigningSeedsForTest exposes the private cross-signing seeds to the at-rest test.
func (s *Session) CrossSigningSeedsForTest() [][]byte { return s.e2ee.CrossSigningSeeds() }

// SetAfterCryptoSyncForTest sets a hook that runs between the E2EE processing of each sync
// response and its store transaction (nil removes it).
func SetAfterCryptoSyncForTest(hook func(toDevice int)) { afterCryptoSync = hook }

// StoredTimelineLenForTest is how many timeline events the store holds for a room (without paging
// from the server, unlike History and Timeline).
func (s *Session) StoredTimelineLenForTest(ctx context.Context, roomID string) (n int, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) (err error) { n, err = tx.TimelineLen(roomID); return err })
	return n, err
}

// FirstSyncLimitForTest is the timeline limit of the initial sync (phase 1).
const FirstSyncLimitForTest = firstSyncLimit

// Exported names, in tests only, of engine methods the front ends do not use (see
// docs/ARCHITECTURE.md): the external tests in session_test reach them through these.

func (s *Session) AccountData(ctx context.Context, roomID id.RoomID, evType string) (out json.RawMessage, err error) {
	return s.accountData(ctx, roomID, evType)
}

func (s *Session) AuthenticatedMedia(ctx context.Context) bool { return s.authenticatedMedia(ctx) }

func (s *Session) Backfill(ctx context.Context, roomID id.RoomID, n int) (int, error) {
	return s.backfill(ctx, roomID, n)
}

func (s *Session) BackfillPending(ctx context.Context) (bool, error) { return s.backfillPending(ctx) }

func (s *Session) BackupRoomKeys(ctx context.Context) (int, error) { return s.backupRoomKeys(ctx) }

func (s *Session) ExportRoomKeys(ctx context.Context, passphrase string) ([]byte, error) {
	return s.exportRoomKeys(ctx, passphrase)
}

func (s *Session) ImportRoomKeys(ctx context.Context, passphrase string, data []byte) (imported int, total int, err error) {
	return s.importRoomKeys(ctx, passphrase, data)
}

func (s *Session) KeyBackupStatus(ctx context.Context) (KeyBackupStatus, error) {
	return s.keyBackupStatus(ctx)
}

func (s *Session) Organisation(serverName string) (org string, vetted bool, known bool) {
	return s.organisation(serverName)
}

func (s *Session) Receipts(ctx context.Context, roomID id.RoomID) (out []*store.Receipt, err error) {
	return s.receipts(ctx, roomID)
}

func (s *Session) SaveFile(ctx context.Context, eventID id.EventID, path string) error {
	return s.saveFile(ctx, eventID, path)
}

func (s *Session) ScanQRCode(ctx context.Context, verificationID string, data []byte) error {
	return s.scanQRCode(ctx, verificationID, data)
}

func (s *Session) SendFilePath(ctx context.Context, roomID id.RoomID, path string, mimeType string) (string, error) {
	return s.sendFilePath(ctx, roomID, path, mimeType)
}

func (s *Session) Spaces(ctx context.Context) ([]RoomSummary, error) { return s.spaces(ctx) }

func (s *Session) StartRoomVerification(ctx context.Context, roomID id.RoomID, userID id.UserID) (*Verification, error) {
	return s.startRoomVerification(ctx, roomID, userID)
}

// Enforcer returns the session's policy enforcer (nil when the session runs without one).
func (s *Session) Enforcer() *Enforcer { return s.enforcer() }

// CheckUpload is the managed-configuration check of an upload (name and size) SendFile applies.
func (s *Session) CheckUpload(name string, size int64) error { return s.cfg.checkUpload(name, size) }

func (s *Session) Outgoing(ctx context.Context, roomID id.RoomID) (out []*store.Outgoing, err error) {
	return s.outgoing(ctx, roomID)
}
