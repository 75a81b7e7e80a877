package exportdoc

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Manifest is manifest.json: what was exported, by whom, and the hash of each file.
type Manifest struct {
	Format    string `json:"format"`
	Version   int    `json:"version"`
	RoomID    string `json:"room_id"`
	RoomName  string `json:"room_name"`
	UserID    string `json:"user_id"`
	DeviceID  string `json:"device_id"`
	DeviceKey string `json:"device_ed25519"` // the signing key, unpadded base64 (informative: Check uses the server's)
	CreatedTS int64  `json:"created_ts"`     // ms since the epoch
	SinceTS   *int64 `json:"since_ts"`       // first included ms (null: from the start)
	UntilTS   *int64 `json:"until_ts"`       // last included ms (null: up to the export)
	Files     []File `json:"files"`
}

// File is one exported file with its SHA-256 (lower-case hex) and size in bytes.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Signature is manifest.sig: the device's signature over SignedMessage(manifest.json bytes).
type Signature struct {
	Algorithm string `json:"algorithm"` // "ed25519"
	UserID    string `json:"user_id"`
	KeyID     string `json:"key_id"`    // "ed25519:DEVICEID"
	Signature string `json:"signature"` // unpadded base64
}

// Describe returns the file entry for data.
func Describe(name string, data []byte) File {
	sum := sha256.Sum256(data)
	return File{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}
}

// validName reports whether a manifest may name this file: a plain name inside the directory.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`+"\x00") &&
		name != FileManifest && name != FileSignature
}

// VerifySignature checks sig (unpadded or padded base64) by key (unpadded base64 Ed25519 public
// key) over SignedMessage(manifest).
func VerifySignature(key string, manifest []byte, sig string) error {
	pub, err := decodeB64(key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return errors.New("the device key is not an Ed25519 key")
	}
	raw, err := decodeB64(sig)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return errors.New("the signature is not a valid Ed25519 signature")
	}
	if !ed25519.Verify(ed25519.PublicKey(pub), SignedMessage(manifest), raw) {
		return errors.New("the signature does not match")
	}
	return nil
}

func decodeB64(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// marshal writes v as indented JSON with a final newline.
func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("failed to encode: %w", err)
	}
	return append(b, '\n'), nil
}

// EncodeManifest returns the bytes of manifest.json.
func EncodeManifest(m *Manifest) ([]byte, error) { return marshal(m) }

// EncodeSignature returns the bytes of manifest.sig.
func EncodeSignature(s *Signature) ([]byte, error) { return marshal(s) }
