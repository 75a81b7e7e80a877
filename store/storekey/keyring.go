package storekey

import (
	"github.com/zalando/go-keyring"
)

// Keyring is a secret store keyed by service and user (account) names.
// Get and Delete report a missing entry with an error matching
// ErrKeyringEntryNotFound (errors.Is).
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// OSKeyring is the Keyring of the operating system, through
// github.com/zalando/go-keyring. On Linux it needs a Secret Service (e.g.
// GNOME Keyring, KeePassXC) on the D-Bus session bus.
type OSKeyring struct{}

// Get implements Keyring.
func (OSKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }

// Set implements Keyring.
func (OSKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

// Delete implements Keyring.
func (OSKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }
