package rtc

import (
	"fmt"
	"sync"

	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/livekit/server-sdk-go/v2/e2ee"
	e2eetypes "github.com/livekit/server-sdk-go/v2/e2ee/types"
)

// Media end-to-end encryption as livekit-client does it for Element Call: every participant
// encrypts its frames with its own key (AES-128-GCM, the first byte of an Opus frame in clear
// and authenticated, then ciphertext and tag, the 12-byte IV, the IV length and the key index),
// and the AES key is derived from the raw media key the participant sent over Matrix by
// HKDF-SHA-256 with the salt "LKFrameEncryptionKey" and 128 zero bytes of info.

// KeyRing holds the media keys of one call: the own sender key by index, and the keys received
// from the other participants by LiveKit identity and index.
type KeyRing struct {
	mu    sync.Mutex
	own   *e2ee.ExternalKeyProvider
	peers map[string]*e2ee.ExternalKeyProvider
}

// NewKeyRing is an empty key ring; the own key must be set before media is sent.
func NewKeyRing() *KeyRing {
	return &KeyRing{own: e2ee.NewExternalKeyProvider(), peers: map[string]*e2ee.ExternalKeyProvider{}}
}

// DeriveFrameKey turns a raw media key (as sent in io.element.call.encryption_keys) into the
// AES-128 key of the frames, as livekit-client's importKey/deriveKeys do.
func DeriveFrameKey(raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("failed to derive the frame key: empty media key")
	}
	k, err := lksdk.DeriveKeyFromBytes(raw)
	if err != nil {
		return nil, fmt.Errorf("failed to derive the frame key: %w", err)
	}
	return k, nil
}

// SetOwnKey makes raw, at index, the key the own frames are encrypted with from now on.
func (k *KeyRing) SetOwnKey(index uint8, raw []byte) error {
	key, err := DeriveFrameKey(raw)
	if err != nil {
		return err
	}
	return k.own.SetRawKey(key, uint32(index))
}

// OwnIndex is the index of the key the own frames are encrypted with.
func (k *KeyRing) OwnIndex() uint8 { return uint8(k.own.CurrentKeyIndex()) }

// SetKey stores a participant's media key at index.
func (k *KeyRing) SetKey(identity string, index uint8, raw []byte) error {
	key, err := DeriveFrameKey(raw)
	if err != nil {
		return err
	}
	return k.peer(identity).SetRawKey(key, uint32(index))
}

// HasKey reports whether a key of identity is known at index.
func (k *KeyRing) HasKey(identity string, index uint8) bool {
	_, err := k.peer(identity).GetKey(uint32(index))
	return err == nil
}

// peer is the key store of identity, made on first use (frames may come before keys).
func (k *KeyRing) peer(identity string) *e2ee.ExternalKeyProvider {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.peers[identity]
	if p == nil {
		p = e2ee.NewExternalKeyProvider()
		k.peers[identity] = p
	}
	return p
}

// encryptor encrypts the own Opus frames with the current own key.
func (k *KeyRing) encryptor() (e2eetypes.FrameEncryptor, error) {
	enc, err := lksdk.NewFrameEncryptor(k.own, lksdk.CodecOpus)
	if err != nil {
		return nil, fmt.Errorf("failed to create the frame encryptor: %w", err)
	}
	return enc, nil
}

// decryptor decrypts the Opus frames of identity with its keys, by the index in each frame.
func (k *KeyRing) decryptor(identity string, sifTrailer []byte) (e2eetypes.FrameDecryptor, error) {
	dec, err := lksdk.NewFrameDecryptor(k.peer(identity), lksdk.CodecOpus, sifTrailer)
	if err != nil {
		return nil, fmt.Errorf("failed to create the frame decryptor: %w", err)
	}
	return dec, nil
}

// frameDecrypter decrypts one remote track's frames (one Opus frame per RTP packet).
type frameDecrypter struct {
	keys     *KeyRing
	identity string
	conn     *Conn
	dec      e2eetypes.FrameDecryptor
}

// decrypt returns the plain Opus frame, or nil for a frame to drop: one that does not decrypt
// (counted) or a server-injected one.
func (f *frameDecrypter) decrypt(payload []byte, r *remote) []byte {
	if f.dec == nil {
		var sif []byte
		f.conn.mu.Lock()
		if f.conn.room != nil {
			sif = f.conn.room.SifTrailer()
		}
		f.conn.mu.Unlock()
		dec, err := f.keys.decryptor(f.identity, sif)
		if err != nil {
			r.decryptErr.Add(1)
			return nil
		}
		f.dec = dec
	}
	if len(payload) < 2 {
		r.decryptErr.Add(1)
		return nil
	}
	plain, err := f.dec.DecryptFrame(payload)
	if err != nil {
		r.decryptErr.Add(1)
		return nil
	}
	if plain == nil {
		return nil // a server-injected frame
	}
	r.keyIndex.Store(uint32(payload[len(payload)-1]))
	return plain
}
