package seal

import (
	"encoding/hex"
	"testing"
)

// Values for TestKnownAnswer, made with the store key 0x42 * 32 and checked
// against an independent implementation (Python: hmac/hashlib HKDF and
// HChaCha20 + ChaCha20-Poly1305 from the cryptography package).
const (
	knownSealed = "0153e03920a32207bb7b74f3fb815bf8a81a039a01e49e637f494ef950a33f228209a2f7d8eb42c4828f81ec722fb3c72b596a81f0478051"
	knownLookup = "9f8bf0a4a9cbff8a3b7dcff6fc0344d61014d158cf081bc7c300a00127c8b782"
	knownDerive = "23eca9f21b5bdbfb69eeef2c92b9f3772b022253479ce76c25fdf967af365aec"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hexs(b []byte) string { return hex.EncodeToString(b) }
