package session

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// DeviceInfo is one device of a user and how this device trusts it.
type DeviceInfo struct {
	DeviceID    id.DeviceID
	Name        string
	Verified    bool   // verified by us (SAS), or cross-signed by an owner we verified (or ourselves)
	CrossSigned bool   // signed by its owner's self-signing key
	Trust       string // mautrix trust state: verified, cross-signed-verified, cross-signed-tofu, unverified...
}

// Devices fetches the devices of userID ("" for our own user) from the server.
func (s *Session) Devices(ctx context.Context, userID id.UserID) ([]DeviceInfo, error) {
	if s.e2ee == nil {
		return nil, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	if userID == "" {
		userID = s.account.UserID
	}
	devs, err := s.e2ee.Devices(ctx, userID)
	if err != nil {
		return nil, s.classify("list devices of "+userID.String(), err)
	}
	out := make([]DeviceInfo, len(devs))
	for i, d := range devs {
		out[i] = DeviceInfo{DeviceID: d.DeviceID, Name: d.Name, Verified: d.Verified, CrossSigned: d.CrossSigned, Trust: d.Trust.String()}
	}
	return out, nil
}

// OwnDeviceVerified reports whether this device is cross-signed by our own (trusted) keys.
func (s *Session) OwnDeviceVerified(ctx context.Context) (bool, error) {
	devs, err := s.Devices(ctx, s.account.UserID)
	if err != nil {
		return false, err
	}
	for _, d := range devs {
		if d.DeviceID == s.account.DeviceID {
			return d.Verified && d.CrossSigned, nil
		}
	}
	return false, nil
}
