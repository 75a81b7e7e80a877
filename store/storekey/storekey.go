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
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/argon2"
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

// keyFile is the JSON form of the key file, version 1.
type keyFile struct {
	Version  int         `json:"version"`
	Method   string      `json:"method"`
	Argon2id *argonJSON  `json:"argon2id,omitempty"`
	Wrapped  []byte      `json:"wrapped,omitempty"`
	Keyring  *keyringRef `json:"keyring,omitempty"`
	Check    []byte      `json:"check"`
}

type argonJSON struct {
	Salt []byte `json:"salt"`
	Params
}

type keyringRef struct {
	Service string `json:"service"`
	Account string `json:"account"`
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

// wrapKey builds a key file protecting key as opts say. For the keyring
// method it stores the key in the keyring; undo removes that entry again.
func wrapKey(key []byte, opts Options) (f *keyFile, undo func(), err error) {
	f = &keyFile{Version: fileVersion, Check: checkValue(key)}
	undo = func() {}
	if opts.Passphrase != "" {
		p := DefaultParams()
		if opts.Argon2 != nil {
			p = *opts.Argon2
		}
		if err := p.validate(); err != nil {
			return nil, nil, err
		}
		salt := make([]byte, saltSize)
		rand.Read(salt)
		kek := deriveKEK(opts.Passphrase, salt, p)
		defer clear(kek)
		aead, err := chacha20poly1305.NewX(kek)
		if err != nil {
			return nil, nil, err
		}
		nonce := make([]byte, chacha20poly1305.NonceSizeX, wrappedSize)
		rand.Read(nonce)
		f.Method = MethodPassphrase
		f.Argon2id = &argonJSON{Salt: salt, Params: p}
		f.Wrapped = aead.Seal(nonce, nonce, key, []byte(wrapAD))
		return f, undo, nil
	}

	kr := opts.keyring()
	var id [16]byte
	rand.Read(id[:])
	ref := &keyringRef{Service: KeyringService, Account: "store-" + hex.EncodeToString(id[:])}
	enc := base64.StdEncoding.EncodeToString(key)
	if err := kr.Set(ref.Service, ref.Account, enc); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrKeyringUnavailable, err)
	}
	undo = func() { _ = kr.Delete(ref.Service, ref.Account) }
	// Read it back: some keyrings accept a secret and lose it.
	got, err := kr.Get(ref.Service, ref.Account)
	if err != nil || subtle.ConstantTimeCompare([]byte(got), []byte(enc)) != 1 {
		undo()
		if err == nil {
			err = errors.New("the keyring returned a different secret than it was given")
		}
		return nil, nil, fmt.Errorf("%w: reading the stored key back: %w", ErrKeyringUnavailable, err)
	}
	f.Method = MethodKeyring
	f.Keyring = ref
	return f, undo, nil
}

// unwrapKey returns the store key protected by the (validated) key file f.
func unwrapKey(f *keyFile, opts Options) ([]byte, error) {
	var key []byte
	switch f.Method {
	case MethodPassphrase:
		if opts.Passphrase == "" {
			return nil, ErrPassphraseRequired
		}
		kek := deriveKEK(opts.Passphrase, f.Argon2id.Salt, f.Argon2id.Params)
		defer clear(kek)
		aead, err := chacha20poly1305.NewX(kek)
		if err != nil {
			return nil, err
		}
		n := chacha20poly1305.NonceSizeX
		key, err = aead.Open(nil, f.Wrapped[:n], f.Wrapped[n:], []byte(wrapAD))
		if err != nil {
			return nil, ErrWrongPassphrase
		}
		if !hmac.Equal(checkValue(key), f.Check) {
			clear(key)
			return nil, fmt.Errorf("%w: check value does not match the unwrapped key", ErrCorruptKeyFile)
		}
	case MethodKeyring:
		ref := f.Keyring
		enc, err := opts.keyring().Get(ref.Service, ref.Account)
		if err != nil {
			if errors.Is(err, ErrKeyringEntryNotFound) {
				return nil, fmt.Errorf("keyring entry %s/%s: %w (was it deleted?)", ref.Service, ref.Account, err)
			}
			return nil, fmt.Errorf("%w: %w", ErrKeyringUnavailable, err)
		}
		key, err = base64.StdEncoding.Strict().DecodeString(enc)
		if err != nil || len(key) != KeySize || !hmac.Equal(checkValue(key), f.Check) {
			clear(key)
			return nil, fmt.Errorf("keyring entry %s/%s: %w", ref.Service, ref.Account, ErrKeyMismatch)
		}
	default: // readKeyFile validated the method
		return nil, fmt.Errorf("%w: unknown method %q", ErrCorruptKeyFile, f.Method)
	}
	return key, nil
}

func deriveKEK(passphrase string, salt []byte, p Params) []byte {
	pass := []byte(norm.NFC.String(passphrase))
	defer clear(pass)
	kek := argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
	// The work memory (64 MiB by default) is garbage now: hand it back to the OS at once instead
	// of keeping it as heap headroom for the whole run (half of the GUI's memory above an empty
	// window at start-up; docs/PERFORMANCE.md).
	debug.FreeOSMemory()
	return kek
}

func checkValue(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(checkLabel))
	return m.Sum(nil)
}

// readKeyFile reads, parses and validates the key file at path.
func readKeyFile(path string) (*keyFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", path, ErrNoKey)
		}
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	f, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// parseKeyFile parses and validates a key file. Every failure wraps
// ErrCorruptKeyFile.
func parseKeyFile(data []byte) (*keyFile, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorruptKeyFile, maxFileSize)
	}
	// Read the version first, so that a future format gets a clear error.
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	if v.Version != fileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d (this program reads version %d)", ErrCorruptKeyFile, v.Version, fileVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrCorruptKeyFile)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	return &f, nil
}

func (f *keyFile) validate() error {
	if len(f.Check) != sha256.Size {
		return fmt.Errorf("check value is %d bytes, want %d", len(f.Check), sha256.Size)
	}
	switch f.Method {
	case MethodPassphrase:
		if f.Keyring != nil {
			return errors.New("passphrase method with a keyring reference")
		}
		if f.Argon2id == nil {
			return errors.New("passphrase method without argon2id parameters")
		}
		if n := len(f.Argon2id.Salt); n < 8 || n > 64 {
			return fmt.Errorf("argon2id salt of %d bytes", n)
		}
		if err := f.Argon2id.Params.validate(); err != nil {
			return err
		}
		if len(f.Wrapped) != wrappedSize {
			return fmt.Errorf("wrapped key is %d bytes, want %d", len(f.Wrapped), wrappedSize)
		}
	case MethodKeyring:
		if f.Argon2id != nil || f.Wrapped != nil {
			return errors.New("keyring method with passphrase fields")
		}
		if f.Keyring == nil {
			return errors.New("keyring method without a keyring reference")
		}
		if s, a := f.Keyring.Service, f.Keyring.Account; s == "" || a == "" || len(s) > 256 || len(a) > 256 {
			return errors.New("invalid keyring reference")
		}
	default:
		return fmt.Errorf("unknown method %q", f.Method)
	}
	return nil
}

// writeKeyFile writes f as dir's key file atomically: a temporary file in
// dir is written and fsynced, then moved into place, then dir is fsynced.
// Unless replace is set, an existing key file is never overwritten
// (ErrKeyExists), also when two processes race.
func writeKeyFile(dir string, f *keyFile, replace bool) (err error) {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	path := Path(dir)

	tmp, err := os.CreateTemp(dir, tempPattern) // mode 0600
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		if err != nil {
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return err
	}

	if replace {
		if err := os.Rename(tmpName, path); err != nil {
			return err
		}
	} else {
		// A hard link fails if the target exists: create-if-absent, even
		// against a concurrent Create.
		if lerr := os.Link(tmpName, path); lerr == nil {
			os.Remove(tmpName)
		} else if errors.Is(lerr, fs.ErrExist) {
			return ErrKeyExists
		} else {
			// The file system has no hard links: check, then rename.
			if _, serr := os.Lstat(path); serr == nil {
				return ErrKeyExists
			}
			if err := os.Rename(tmpName, path); err != nil {
				return err
			}
		}
	}
	return syncDir(dir)
}

// TempFiles lists temporary key files left in dir by an interrupted write
// (full paths); Destroy removes them.
func TempFiles(dir string) []string { return tempFiles(dir) }

// KeyringEntry names the OS keyring entry that holds the store key of dir,
// when its key file is readable and records the keyring method; Destroy
// deletes that entry.
func KeyringEntry(dir string) (service, account string, ok bool) {
	f, err := readKeyFile(Path(dir))
	if err != nil || f.Method != MethodKeyring {
		return "", "", false
	}
	return f.Keyring.Service, f.Keyring.Account, true
}

// tempFiles lists temporary key files left in dir by an interrupted write.
func tempFiles(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, tempPrefix) && strings.HasSuffix(n, tempSuffix) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}

// syncDir fsyncs a directory so that a rename or removal in it is durable.
// Windows cannot sync directories (and needs not), so it is a no-op there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
