// Package storekey creates, unlocks and destroys the store key of one
// BOS Messenger account data directory.
//
// The store key is a random 256-bit key (crypto/rand) under which the
// store's values are sealed (see package bosmessenger/store/seal). It never
// lies on disk in plaintext. It is either
//
//   - wrapped by a passphrase: a key-encryption key (KEK) is derived from
//     the passphrase with Argon2id, and the store key is sealed under it
//     with XChaCha20-Poly1305; or
//   - kept in the OS keyring (Secret Service on Linux, Credential Manager
//     on Windows, Keychain on macOS), base64-encoded, under service
//     "bosmessenger" and a random account name.
//
// Either way the directory holds the key file DIR/storekey.json (mode 0600),
// written atomically (temporary file, fsync, rename, fsync of the
// directory). Version 1 of its JSON format:
//
//	{
//	  "version": 1,
//	  "method": "passphrase" | "keyring",
//	  "argon2id": {"salt": b64, "time": 3, "memory_kib": 65536, "threads": 2},  // passphrase only
//	  "wrapped": b64,   // passphrase only: nonce (24) || XChaCha20-Poly1305(KEK, store key, AD "bosmessenger storekey v1")
//	  "keyring": {"service": "bosmessenger", "account": "store-<32 hex>"},     // keyring only
//	  "check": b64      // HMAC-SHA256(store key, "bosmessenger storekey check v1")
//	}
//
// Byte strings are standard base64 with padding. Passphrases are
// normalised to Unicode NFC before Argon2id, so the same passphrase typed
// on different systems unlocks the store. The check value lets Unlock tell
// a keyring entry that was replaced or changed from the right one; it
// reveals nothing about the key.
//
// Unlock never writes: a wrong passphrase yields an error wrapping
// ErrWrongPassphrase and leaves the key file as it was.
//
// Headless use may pass the passphrase in the environment variable
// BOSMESSENGER_PASSPHRASE (see PassphraseFromEnv).
package storekey

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"
)

// KeySize is the size in bytes of the store key.
const KeySize = 32

// FileName is the name of the key file inside an account data directory.
const FileName = "storekey.json"

// Methods of protecting the store key, as written in the key file.
const (
	MethodPassphrase = "passphrase"
	MethodKeyring    = "keyring"
)

// KeyringService is the OS keyring service name under which store keys are
// kept.
const KeyringService = "bosmessenger"

// EnvPassphrase is the environment variable read by PassphraseFromEnv.
const EnvPassphrase = "BOSMESSENGER_PASSPHRASE"

const (
	fileVersion = 1
	wrapAD      = "bosmessenger storekey v1"
	checkLabel  = "bosmessenger storekey check v1"
	saltSize    = 16
	wrappedSize = chacha20poly1305.NonceSizeX + KeySize + chacha20poly1305.Overhead
	maxFileSize = 64 << 10
	tempPrefix  = ".storekey-"
	tempSuffix  = ".tmp"
	tempPattern = tempPrefix + "*" + tempSuffix
)

var (
	// ErrWrongPassphrase: the passphrase does not unlock the store key.
	ErrWrongPassphrase = errors.New("wrong passphrase")

	// ErrPassphraseRequired: the store key is passphrase-protected and no
	// passphrase was given; ask the user (or read PassphraseFromEnv).
	ErrPassphraseRequired = errors.New("the message store is locked with a passphrase; a passphrase is required")

	// ErrNoKey: the directory has no key file yet (store not initialised).
	ErrNoKey = errors.New("no store key: the message store is not initialised")

	// ErrKeyExists: Create found a key file already there.
	ErrKeyExists = errors.New("a store key already exists")

	// ErrKeyringUnavailable: the OS keyring could not be used (no Secret
	// Service running, access denied, unsupported platform, ...). On
	// Create, the caller may ask for a passphrase instead.
	ErrKeyringUnavailable = errors.New("the OS keyring is unavailable")

	// ErrKeyringEntryNotFound: the keyring has no entry for the store key
	// (it was deleted). It is the go-keyring ErrNotFound, so Keyring
	// implementations report a missing entry with it.
	ErrKeyringEntryNotFound = keyring.ErrNotFound

	// ErrKeyMismatch: the keyring entry does not hold this store's key (it
	// was replaced or altered).
	ErrKeyMismatch = errors.New("the OS keyring entry does not hold this store's key (was it replaced?)")

	// ErrCorruptKeyFile: the key file is damaged, invalid or of an
	// unknown version.
	ErrCorruptKeyFile = errors.New("the store key file is damaged or invalid")

	// ErrPassphraseTooShort: a new passphrase has fewer than
	// MinPassphraseLen characters (see CheckNewPassphrase).
	ErrPassphraseTooShort = fmt.Errorf("the store passphrase is too short (at least %d characters)", MinPassphraseLen)
)

// MinPassphraseLen is the least number of characters (Unicode code points
// after NFC) of a passphrase that protects a new store.
const MinPassphraseLen = 8

// CheckNewPassphrase refuses (ErrPassphraseTooShort) a passphrase too short
// to protect a new store. Callers check it before they create anything.
// Existing stores keep unlocking with whatever passphrase they have.
func CheckNewPassphrase(passphrase string) error {
	if utf8.RuneCountInString(norm.NFC.String(passphrase)) < MinPassphraseLen {
		return ErrPassphraseTooShort
	}
	return nil
}

// Params are Argon2id cost parameters.
type Params struct {
	Time      uint32 `json:"time"`       // passes over memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`    // parallelism
}

// Bounds accepted for Params, when creating and when reading a key file.
const (
	maxTime      = 100
	maxMemoryKiB = 4 << 20 // 4 GiB
)

// DefaultParams returns the default Argon2id parameters: time 3, 64 MiB,
// min(4, NumCPU) threads.
func DefaultParams() Params {
	return Params{Time: 3, MemoryKiB: 64 << 10, Threads: uint8(min(4, runtime.NumCPU()))}
}

func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id time %d out of range [1, %d]", p.Time, maxTime)
	case p.Threads < 1:
		return fmt.Errorf("argon2id threads %d out of range [1, 255]", p.Threads)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("argon2id memory %d KiB out of range [%d, %d]", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	}
	return nil
}

// Options select how the store key is protected and which keyring to use.
type Options struct {
	// Passphrase, if set, selects the passphrase method in Create and is
	// the passphrase tried by Unlock. Unlock ignores it for a keyring-
	// protected store.
	Passphrase string
	// UseKeyring makes Create keep the key in the keyring when Passphrase
	// is empty. Unlock follows the method recorded in the key file.
	UseKeyring bool
	// Keyring is the keyring to use; nil means OSKeyring.
	Keyring Keyring
	// Argon2 are the Argon2id parameters for a newly wrapped key; nil means
	// DefaultParams. Existing key files record their own parameters.
	// Tests pass cheap parameters here.
	Argon2 *Params
}

func (o Options) keyring() Keyring {
	if o.Keyring != nil {
		return o.Keyring
	}
	return OSKeyring{}
}

// Path returns the path of the key file of dir.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// Exists reports whether dir has a key file (the store is initialised).
func Exists(dir string) bool {
	_, err := os.Lstat(Path(dir))
	return err == nil
}

// PassphraseFromEnv returns the passphrase in BOSMESSENGER_PASSPHRASE and
// whether it is set and non-empty.
func PassphraseFromEnv() (string, bool) {
	v, ok := os.LookupEnv(EnvPassphrase)
	return v, ok && v != ""
}

// Create makes a new random store key for dir, protects it, writes the key
// file and returns the key. It refuses (ErrKeyExists) if a key file exists.
//
// The method is the passphrase one if opts.Passphrase is set, else the
// keyring one if opts.UseKeyring is set; otherwise Create fails. If the
// keyring cannot be used the error wraps ErrKeyringUnavailable, nothing is
// left behind, and the caller may ask for a passphrase instead. dir is
// created (mode 0700) if missing.
func Create(dir string, opts Options) (key []byte, err error) {
	path := Path(dir)
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("storekey: create %s: %w", path, ErrKeyExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("storekey: create: %w", err)
	}
	if opts.Passphrase == "" && !opts.UseKeyring {
		return nil, errors.New("storekey: create: no method chosen: set Options.Passphrase or Options.UseKeyring")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storekey: create: %w", err)
	}
	key = make([]byte, KeySize)
	rand.Read(key)

	f, undo, err := wrapKey(key, opts)
	if err != nil {
		return nil, fmt.Errorf("storekey: create %s: %w", path, err)
	}
	if err := writeKeyFile(dir, f, false); err != nil {
		undo()
		return nil, fmt.Errorf("storekey: create %s: %w", path, err)
	}
	return key, nil
}

// Unlock reads the key file of dir and returns the store key. It never
// writes anything.
//
// For a passphrase-protected key it needs opts.Passphrase (else
// ErrPassphraseRequired); a wrong one gives ErrWrongPassphrase. For a
// keyring-held key it fetches the entry from opts.Keyring (or the OS
// keyring) and checks it against the key file: ErrKeyringUnavailable,
// ErrKeyringEntryNotFound or ErrKeyMismatch on failure. A missing key file
// gives ErrNoKey, an invalid one ErrCorruptKeyFile. Errors are wrapped with
// context; test them with errors.Is.
func Unlock(dir string, opts Options) (key []byte, err error) {
	path := Path(dir)
	f, err := readKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("storekey: unlock: %w", err)
	}
	key, err = unwrapKey(f, opts)
	if err != nil {
		return nil, fmt.Errorf("storekey: unlock %s: %w", path, err)
	}
	return key, nil
}

// Method returns the protection method recorded in the key file of dir
// (MethodPassphrase or MethodKeyring), so a caller knows whether to ask for
// a passphrase before Unlock.
func Method(dir string) (string, error) {
	f, err := readKeyFile(Path(dir))
	if err != nil {
		return "", fmt.Errorf("storekey: %w", err)
	}
	return f.Method, nil
}

// Rewrap protects the existing store key of dir anew: it unlocks it with
// current (as Unlock) and writes a key file made with next (method chosen as
// in Create), atomically replacing the old one. It changes a passphrase,
// moves the key from a passphrase into the keyring, or back. The store key
// itself stays the same, so the store needs no re-encryption.
//
// If the key was in the keyring and next does not keep it there, the old
// keyring entry is deleted after the new key file is in place; that
// deletion is best effort. On any error before that, the old key file is
// unchanged.
func Rewrap(dir string, current, next Options) error {
	path := Path(dir)
	old, err := readKeyFile(path)
	if err != nil {
		return fmt.Errorf("storekey: rewrap: %w", err)
	}
	key, err := unwrapKey(old, current)
	if err != nil {
		return fmt.Errorf("storekey: rewrap %s: %w", path, err)
	}
	defer clear(key)
	if next.Passphrase == "" && !next.UseKeyring {
		return errors.New("storekey: rewrap: no method chosen: set Options.Passphrase or Options.UseKeyring")
	}
	f, undo, err := wrapKey(key, next)
	if err != nil {
		return fmt.Errorf("storekey: rewrap %s: %w", path, err)
	}
	if err := writeKeyFile(dir, f, true); err != nil {
		undo()
		return fmt.Errorf("storekey: rewrap %s: %w", path, err)
	}
	if old.Method == MethodKeyring {
		_ = current.keyring().Delete(old.Keyring.Service, old.Keyring.Account)
	}
	return nil
}

// ChangePassphrase rewraps the store key of a passphrase-protected dir
// under newPass, with opts.Argon2 parameters (nil: DefaultParams). A wrong
// oldPass gives ErrWrongPassphrase and changes nothing. For a keyring-held
// key use Rewrap.
func ChangePassphrase(dir, oldPass, newPass string, opts Options) error {
	if newPass == "" {
		return errors.New("storekey: change passphrase: the new passphrase is empty")
	}
	m, err := Method(dir)
	if err != nil {
		return err
	}
	if m != MethodPassphrase {
		return fmt.Errorf("storekey: change passphrase: the store key is kept in the %s, not under a passphrase", m)
	}
	return Rewrap(dir,
		Options{Passphrase: oldPass, Keyring: opts.Keyring},
		Options{Passphrase: newPass, Keyring: opts.Keyring, Argon2: opts.Argon2})
}

// Destroy removes the key file of dir (and leftover temporary files) and,
// for a keyring-held key, its keyring entry; without them the store can no
// longer be decrypted. It is meant for logout and wipe, so it does all it
// can: a missing key file or keyring entry is not an error, a damaged key
// file is removed all the same, and if the keyring entry cannot be deleted
// the key file is still removed and the error names the entry left behind.
func Destroy(dir string, opts Options) error {
	path := Path(dir)
	var errs []error
	if f, err := readKeyFile(path); err == nil && f.Method == MethodKeyring {
		err := opts.keyring().Delete(f.Keyring.Service, f.Keyring.Account)
		if err != nil && !errors.Is(err, ErrKeyringEntryNotFound) {
			errs = append(errs, fmt.Errorf("storekey: destroy: keyring entry %s/%s left behind: %w: %w",
				f.Keyring.Service, f.Keyring.Account, ErrKeyringUnavailable, err))
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("storekey: destroy: %w", err))
	}
	for _, t := range tempFiles(dir) {
		if err := os.Remove(t); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("storekey: destroy: %w", err))
		}
	}
	if err := syncDir(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("storekey: destroy: %w", err))
	}
	return errors.Join(errs...)
}
