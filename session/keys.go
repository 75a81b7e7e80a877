package session

import (
	"context"
	"fmt"
)

// exportRoomKeys exports the room keys of this device into a passphrase-protected key file
// (ErrKeyExportDisabled when the policy forbids it).
func (s *Session) exportRoomKeys(ctx context.Context, passphrase string) ([]byte, error) {
	if err := s.checkKeyExport(); err != nil {
		return nil, err
	}
	if s.e2ee == nil {
		return nil, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	return s.e2ee.ExportRoomKeys(ctx, passphrase)
}

// importRoomKeys imports a key file and decrypts the stored messages that were waiting for those
// keys, in one transaction. It returns how many keys were new and how many the file held.
func (s *Session) importRoomKeys(ctx context.Context, passphrase string, data []byte) (imported, total int, err error) {
	if s.e2ee == nil {
		return 0, 0, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	imported, total, err = s.e2ee.ImportRoomKeys(ctx, passphrase, data)
	if err != nil {
		return 0, 0, err
	}
	s.e2ee.TakeReceived()
	return imported, total, s.retryUndecrypted(ctx, nil)
}
