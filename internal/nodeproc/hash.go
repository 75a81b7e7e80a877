package nodeproc

import (
	"crypto/sha256"
	"encoding/hex"
)

// ShortHash is the first 16 hex digits of the SHA-256 of data.
func ShortHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// NamedHash is a short hash (16 hex digits) over prefix and the names and contents (read by
// read) of files: a change of any name or content changes it.
func NamedHash(prefix []byte, names []string, read func(name string) []byte) string {
	h := sha256.New()
	h.Write(prefix)
	for _, n := range names {
		h.Write([]byte(n + "\x00"))
		h.Write(read(n))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
