package storekey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"
)

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
