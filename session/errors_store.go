package session

import "bosmessenger/store/storekey"

// Store unlock errors, so front ends need not import the store packages.
var (
	ErrWrongPassphrase    = storekey.ErrWrongPassphrase    // the store passphrase is wrong
	ErrPassphraseRequired = storekey.ErrPassphraseRequired // the store needs a passphrase and none was given
	ErrKeyringUnavailable = storekey.ErrKeyringUnavailable // no OS keyring to hold the store key
	ErrPassphraseTooShort = storekey.ErrPassphraseTooShort // a new store's passphrase is too short
)
