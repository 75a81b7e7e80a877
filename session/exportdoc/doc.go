// Package exportdoc writes and checks the incident export (Einsatzdokumentation) of a room: a
// readable PDF report, a JSON file of all events and a manifest with the SHA-256 of each file,
// signed with the exporting device's Ed25519 key. The file formats and the signed bytes are
// described in docs/PROTOCOL.md, so that anyone can check an export without this program.
// The package does no I/O beyond the export directory: the session engine gathers the events
// and signs, and looks up the device key for Check.
package exportdoc

// Format and version of the files (the "format" and "version" fields).
const (
	Format  = "de.bos.export"
	Version = 1
)

// File names inside an export directory.
const (
	FilePDF       = "einsatz.pdf"
	FileEvents    = "events.json"
	FileManifest  = "manifest.json"
	FileSignature = "manifest.sig"
)

// SignaturePrefix is put before the bytes of manifest.json to form the signed message: the
// signature is ed25519(SignaturePrefix + manifest.json bytes). The prefix keeps such a signature
// from ever being valid for a canonical-JSON object that Matrix signs with the same device key.
const SignaturePrefix = "de.bos.export.v1\n"

// SignedMessage returns the bytes the device signs for a manifest.
func SignedMessage(manifest []byte) []byte {
	return append([]byte(SignaturePrefix), manifest...)
}
