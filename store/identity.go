package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// IdentityPin is the cross-signing master key pinned for a user: the first one seen, or the one
// the user acknowledged after a change.
type IdentityPin struct {
	UserID    string
	MasterKey string
	Verified  bool   // we verified MasterKey
	SeenKey   string // a different master key seen since and not acknowledged ("" for none)
}

// IdentityPin returns the pin of userID; ok is false when there is none.
func (tx *Tx) IdentityPin(userID string) (p IdentityPin, ok bool, err error) {
	p.UserID = userID
	err = tx.tx.QueryRow(`SELECT master_key, verified, seen_key FROM identity_pin WHERE user_id = ?`, userID).
		Scan(&p.MasterKey, &p.Verified, &p.SeenKey)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	} else if err != nil {
		return p, false, fmt.Errorf("failed to read the identity pin of %s: %w", userID, err)
	}
	return p, true, nil
}

// SetIdentityPin creates or replaces the pin of p.UserID.
func (tx *Tx) SetIdentityPin(p IdentityPin) error {
	_, err := tx.tx.Exec(`INSERT INTO identity_pin (user_id, master_key, verified, seen_key) VALUES (?,?,?,?)
		ON CONFLICT (user_id) DO UPDATE SET master_key = excluded.master_key, verified = excluded.verified,
		seen_key = excluded.seen_key`, p.UserID, p.MasterKey, p.Verified, p.SeenKey)
	if err != nil {
		return fmt.Errorf("failed to store the identity pin of %s: %w", p.UserID, err)
	}
	return nil
}

// DeleteIdentityPin removes the pin of userID.
func (tx *Tx) DeleteIdentityPin(userID string) error {
	if _, err := tx.tx.Exec(`DELETE FROM identity_pin WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("failed to delete the identity pin of %s: %w", userID, err)
	}
	return nil
}
