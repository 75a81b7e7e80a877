package crypto

import (
	"context"
	"fmt"

	mcrypto "maunium.net/go/mautrix/crypto"
)

// ExportRoomKeys writes all megolm sessions this device knows into a passphrase-protected key file
// in the format Element and other Matrix clients use ("MEGOLM SESSION DATA").
func (m *Machine) ExportRoomKeys(ctx context.Context, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, fmt.Errorf("failed to export room keys: a passphrase is required")
	}
	data, err := mcrypto.ExportKeysIter(passphrase, m.mach.CryptoStore.GetAllGroupSessions(ctx))
	if err != nil {
		return nil, fmt.Errorf("failed to export room keys: %w", err)
	}
	return data, nil
}

// ImportRoomKeys reads a key file made by ExportRoomKeys (or another Matrix client) and returns how
// many sessions were new and how many the file held.
func (m *Machine) ImportRoomKeys(ctx context.Context, passphrase string, data []byte) (imported, total int, err error) {
	imported, total, err = m.mach.ImportKeys(ctx, passphrase, data)
	if err != nil {
		return 0, 0, fmt.Errorf("failed to import room keys: %w", err)
	}
	return imported, total, nil
}
