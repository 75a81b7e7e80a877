// Package seal encrypts values of the BOS Messenger store at rest.
//
// A Sealer is built from the random 256-bit store key (see package
// bosmessenger/store/storekey). From it, HKDF-SHA256 derives independent
// subkeys, one per use, so that no two uses share key material:
//
//	"bosmessenger seal v1"          XChaCha20-Poly1305 key for Seal/Open
//	"bosmessenger lookup v1"        HMAC-SHA256 key for Lookup
//	"bosmessenger derive v1" ...    keys handed out by DeriveKey
//
// # Sealed values
//
// Seal returns
//
//	version (1 byte, 0x01) || nonce (24 random bytes) || ciphertext || tag (16 bytes)
//
// i.e. Overhead (41) bytes more than the plaintext. The associated data (ad)
// is authenticated but not stored: it binds a value to its place in the
// store, e.g. "rooms.name|!roomid:example.org", so that a value copied to
// another row or column fails to open. Open must be given the same ad.
//
// The length of a sealed value reveals the length of its plaintext; callers
// that must hide lengths pad before sealing.
//
// # Absent and empty values
//
// Seal always produces a sealed value, also for an empty or nil plaintext,
// and Open returns a non-nil empty slice for it. "Absent" is not a sealed
// value: callers store SQL NULL (a nil []byte) for it. Open is strict and
// reports ErrCorrupt for a nil or empty input; OpenString, meant for nullable
// text columns, returns "" and no error for a nil or empty input (and
// likewise "" for a sealed empty string). Use Open where absent and empty
// must be told apart.
//
// # Lookups
//
// Lookup returns a keyed HMAC of a sensitive value, to index it for
// equality lookups (e.g. find a room by alias) without storing the value
// itself. It is deterministic for a given store key, so equal values give
// equal lookup keys; that equality is all it reveals.
//
// A Sealer is safe for concurrent use by multiple goroutines.
package seal

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size in bytes of the store key given to New.
const KeySize = 32

// Version is the format version byte that starts every sealed value.
const Version byte = 1

// Overhead is the number of bytes a sealed value has beyond its plaintext:
// the version byte, the nonce and the authentication tag.
const Overhead = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead

// LookupSize is the size in bytes of the values returned by Lookup.
const LookupSize = sha256.Size

// HKDF info strings. They are part of the storage format: changing one
// makes existing stores unreadable.
const (
	infoSeal   = "bosmessenger seal v1"
	infoLookup = "bosmessenger lookup v1"
	infoDerive = "bosmessenger derive v1"
	// hkdfSalt is a fixed, public salt (domain separation for the extract
	// step; the store key is already uniformly random).
	hkdfSalt = "bosmessenger store key"
)

// ErrCorrupt is returned (wrapped) by Open when a sealed value is too short,
// has an unknown version, or fails authentication (tampered, wrong ad, or
// sealed under another key).
var ErrCorrupt = errors.New("seal: corrupt or foreign sealed value")

// maxDeriveLen is the largest output HKDF-SHA256 can give.
const maxDeriveLen = 255 * sha256.Size

// Sealer seals and opens store values under subkeys of one store key.
// Its zero value is not usable; build one with New.
type Sealer struct {
	aead      cipher.AEAD
	lookupKey []byte
	// lookupPool holds keyed HMAC states for Lookup (hmac.New is costly).
	lookupPool sync.Pool
	prk        []byte // HKDF pseudorandom key, for DeriveKey
}

// New derives the subkeys of storeKey, which must be KeySize (32) bytes.
// New does not keep a reference to storeKey, so the caller may clear it.
func New(storeKey []byte) (*Sealer, error) {
	if len(storeKey) != KeySize {
		return nil, fmt.Errorf("seal: store key must be %d bytes, got %d", KeySize, len(storeKey))
	}
	prk, err := hkdf.Extract(sha256.New, storeKey, []byte(hkdfSalt))
	if err != nil {
		return nil, fmt.Errorf("seal: hkdf extract: %w", err)
	}
	sealKey, err := hkdf.Expand(sha256.New, prk, infoSeal, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("seal: hkdf expand: %w", err)
	}
	lookupKey, err := hkdf.Expand(sha256.New, prk, infoLookup, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("seal: hkdf expand: %w", err)
	}
	aead, err := chacha20poly1305.NewX(sealKey)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	clear(sealKey) // NewX copies the key
	s := &Sealer{aead: aead, lookupKey: lookupKey, prk: prk}
	s.lookupPool.New = func() any { return hmac.New(sha256.New, s.lookupKey) }
	return s, nil
}

// Seal encrypts and authenticates plaintext, binding it to ad, under a fresh
// random nonce. The result is len(plaintext)+Overhead bytes long and starts
// with Version. A nil or empty plaintext gives a valid sealed value too.
func (s *Sealer) Seal(plaintext, ad []byte) []byte {
	const hdr = 1 + chacha20poly1305.NonceSizeX
	out := make([]byte, hdr, len(plaintext)+Overhead)
	out[0] = Version
	nonce := out[1:hdr]
	rand.Read(nonce) // never fails (crypto/rand crashes the program instead)
	return s.aead.Seal(out, nonce, plaintext, ad)
}

// Open authenticates and decrypts a value made by Seal with the same ad.
// On failure it returns an error wrapping ErrCorrupt and no plaintext; it
// never panics, whatever the input. The plaintext of a sealed empty value
// is a non-nil empty slice.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	const hdr = 1 + chacha20poly1305.NonceSizeX
	if len(sealed) < Overhead {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, len(sealed))
	}
	if sealed[0] != Version {
		return nil, fmt.Errorf("%w: unknown version %d", ErrCorrupt, sealed[0])
	}
	pt, err := s.aead.Open(nil, sealed[1:hdr], sealed[hdr:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (tampered, wrong key or wrong place)", ErrCorrupt)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// SealString is Seal for a string value and a string ad.
func (s *Sealer) SealString(v string, ad string) []byte {
	return s.Seal([]byte(v), []byte(ad))
}

// OpenString is Open for a value made by SealString. Unlike Open, it treats
// a nil or empty b (SQL NULL, "absent") as the empty string and returns
// "", nil for it.
func (s *Sealer) OpenString(b []byte, ad string) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	pt, err := s.Open(b, []byte(ad))
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// Lookup returns a LookupSize (32) byte HMAC-SHA256 of value under the
// lookup subkey, separated by domain (e.g. "rooms.alias"), for equality
// lookups of sensitive values. Equal (domain, value) pairs give equal
// results under the same store key; different domains or store keys give
// unrelated results.
func (s *Sealer) Lookup(domain string, value []byte) []byte {
	m := s.lookupPool.Get().(hash.Hash)
	defer s.lookupPool.Put(m)
	m.Reset()
	// Length-prefix the domain so that (domain, value) pairs are encoded
	// unambiguously: ("a", "bc") and ("ab", "c") must differ.
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(domain)))
	m.Write(n[:])
	io.WriteString(m, domain)
	m.Write(value)
	return m.Sum(make([]byte, 0, LookupSize))
}

// DeriveKey returns n bytes of key material for purpose (e.g.
// "crypto-pickle v1" for the olm/megolm pickle key), derived with HKDF from
// the store key. The same purpose and n always give the same key; different
// purposes, different n, and the Sealer's own subkeys are independent.
// Put a version in purpose so that a key can be rotated by changing it.
//
// DeriveKey panics if purpose is empty or n is not in [1, 8160]: both are
// programming errors.
func (s *Sealer) DeriveKey(purpose string, n int) []byte {
	if purpose == "" {
		panic("seal: DeriveKey with empty purpose")
	}
	if n < 1 || n > maxDeriveLen {
		panic(fmt.Sprintf("seal: DeriveKey length %d out of range [1, %d]", n, maxDeriveLen))
	}
	// info = infoDerive || 0x00 || uint16(n) || purpose. The NUL keeps it
	// apart from the fixed info strings; n makes keys of different lengths
	// independent (HKDF output of n bytes is otherwise a prefix of n+1).
	info := make([]byte, 0, len(infoDerive)+3+len(purpose))
	info = append(info, infoDerive...)
	info = append(info, 0)
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, purpose...)
	k, err := hkdf.Expand(sha256.New, s.prk, string(info), n)
	if err != nil {
		// Cannot happen: n is within the HKDF-SHA256 limit checked above.
		panic("seal: hkdf expand: " + err.Error())
	}
	return k
}
