package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// Keys of sealed account values in the kv table.
const (
	KeyHomeserver  = "homeserver"
	KeyUserID      = "user_id"
	KeyDeviceID    = "device_id"
	KeyAccessToken = "access_token"
	KeyNextBatch   = "next_batch"
	KeyFilterID    = "filter_id"
	KeyAppLock     = "app_lock_state" // the app lock's state (hash, failures), see session/applock
	// KeyBackfillPending is set by the initial sync (phase 1, short timelines) until the back-fill
	// of the rooms' timelines (phase 2, session/backfill.go) has finished.
	KeyBackfillPending = "initial_backfill_pending"
)

// SetValue seals and stores an account value; an empty value deletes it.
func (tx *Tx) SetValue(key, value string) error {
	if value == "" {
		_, err := tx.tx.Exec(`DELETE FROM kv WHERE key = ?`, key)
		return err
	}
	_, err := tx.tx.Exec(`INSERT INTO kv (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, tx.sealString(value, "kv|"+key))
	if err != nil {
		return fmt.Errorf("failed to store %s: %w", key, err)
	}
	return nil
}

// Value returns an account value, "" when unset.
func (tx *Tx) Value(key string) (string, error) {
	var sealed []byte
	err := tx.tx.QueryRow(`SELECT value FROM kv WHERE key = ?`, key).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("failed to read %s: %w", key, err)
	}
	return tx.openString(sealed, "kv|"+key)
}
