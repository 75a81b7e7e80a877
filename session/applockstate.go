package session

import (
	"context"
	"fmt"

	"bosmessenger/store"
)

// AppLockState returns the app lock's stored state (session/applock's State as JSON; nil when
// none). It lives sealed in the account's store, not in the front end's preferences: it cannot
// be read, edited or removed beside the store (removing it would let the lock be set up anew),
// and a wipe deletes it with the account.
func (s *Session) AppLockState(ctx context.Context) ([]byte, error) {
	var v string
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		v, err = tx.Value(store.KeyAppLock)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("failed to read the app lock state: %w", err)
	}
	if v == "" {
		return nil, nil
	}
	return []byte(v), nil
}

// SetAppLockState stores the app lock's state (sealed; empty deletes it).
func (s *Session) SetAppLockState(ctx context.Context, data []byte) error {
	if err := s.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetValue(store.KeyAppLock, string(data)) }); err != nil {
		return fmt.Errorf("failed to store the app lock state: %w", err)
	}
	return nil
}
