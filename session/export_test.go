package session

import (
	"context"

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
