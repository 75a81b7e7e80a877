package exportdoc

import "fmt"

// Signer signs msg with the device's Ed25519 key and returns the unpadded base64 signature.
type Signer func(msg []byte) (string, error)

// Named is a file to write into the export.
type Named struct {
	Name string
	Data []byte
}

// Write writes files into dir (which PrepareDir has checked), then manifest.json listing their
// hashes (m.Files is filled in) and manifest.sig, signed by sign. Files are mode 0600.
func Write(dir string, m *Manifest, files []Named, sign Signer) error {
	m.Format, m.Version, m.Files = Format, Version, nil
	for _, f := range files {
		if !validName(f.Name) {
			return fmt.Errorf("failed to write the export: bad file name %q", f.Name)
		}
		if err := WriteFile(dir, f.Name, f.Data); err != nil {
			return err
		}
		m.Files = append(m.Files, Describe(f.Name, f.Data))
	}
	mb, err := EncodeManifest(m)
	if err != nil {
		return err
	}
	sig, err := sign(SignedMessage(mb))
	if err != nil {
		return fmt.Errorf("failed to sign the manifest: %w", err)
	}
	sb, err := EncodeSignature(&Signature{Algorithm: "ed25519", UserID: m.UserID, KeyID: "ed25519:" + m.DeviceID, Signature: sig})
	if err != nil {
		return err
	}
	if err := WriteFile(dir, FileManifest, mb); err != nil {
		return err
	}
	return WriteFile(dir, FileSignature, sb)
}
