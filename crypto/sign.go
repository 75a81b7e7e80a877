package crypto

import (
	"errors"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// SigningKey is this device's Ed25519 fingerprint key, the one its published device keys carry
// (unpadded base64).
func (m *Machine) SigningKey() id.Ed25519 { return m.mach.OwnIdentity().SigningKey }

// SignDetached signs msg with this device's Ed25519 key and returns the signature in unpadded
// base64, as Matrix writes signatures. The private key never leaves the crypto layer. Callers
// prefix msg with their own context string so that a signature can never be taken for one of the
// canonical-JSON objects Matrix signs with the same key (docs/PROTOCOL.md).
func (m *Machine) SignDetached(msg []byte) (string, error) {
	if len(msg) == 0 || msg[0] == '{' {
		return "", errors.New("failed to sign: message must be non-empty and must not look like a JSON object")
	}
	sig, err := m.mach.GetAccount().Internal.Sign(msg)
	if err != nil {
		return "", fmt.Errorf("failed to sign: %w", err)
	}
	return string(sig), nil
}
