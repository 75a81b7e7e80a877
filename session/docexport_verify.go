package session

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/exportdoc"
)

// VerifyExport checks an incident export in dir (exportdoc.Check): the manifest's signature with
// the signing device's Ed25519 key as the homeserver publishes it (/keys/query), and the SHA-256 of
// every file. An export that does not verify gives an error matching exportdoc.ErrInvalid that
// names the bad file, with the report of what was checked.
func (s *Session) VerifyExport(ctx context.Context, dir string) (*exportdoc.Report, error) {
	if s.e2ee == nil {
		return nil, fmt.Errorf("failed to verify: %w: device keys cannot be fetched", ErrCannotEncrypt)
	}
	lookup := func(userID, deviceID string) (exportdoc.DeviceKey, error) {
		user := id.UserID(userID)
		if _, _, err := user.Parse(); err != nil {
			return exportdoc.DeviceKey{}, fmt.Errorf("%w: %q is not a user ID", exportdoc.ErrUnknownDevice, userID)
		}
		devs, err := s.e2ee.Devices(ctx, user)
		if err != nil {
			return exportdoc.DeviceKey{}, s.classify("fetch the devices of "+userID, err)
		}
		for _, d := range devs {
			if d.DeviceID == id.DeviceID(deviceID) {
				return exportdoc.DeviceKey{Ed25519: d.SigningKey.String(), CrossSigned: d.CrossSigned, Verified: d.Verified}, nil
			}
		}
		return exportdoc.DeviceKey{}, exportdoc.ErrUnknownDevice
	}
	return exportdoc.Check(dir, lookup)
}
