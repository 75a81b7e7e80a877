package crypto

import (
	"context"
	"fmt"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// SetKeyShareFilter adds a check before a room key goes to another user's device in answer to
// a key request (sharing for messages asks the session's policy through the recipients list).
// A non-nil error refuses silently: in BOS mode, devices of users on servers outside the
// federation list never get a room key, also not one they had before their server was removed.
func (m *Machine) SetKeyShareFilter(allow func(ctx context.Context, user id.UserID) error) {
	def := m.mach.AllowKeyShare
	m.mach.AllowKeyShare = func(ctx context.Context, device *id.Device, info event.RequestedKeyInfo) *mcrypto.KeyShareRejection {
		if device.UserID != m.mach.Client.UserID {
			if err := allow(ctx, device.UserID); err != nil {
				m.log.Info().Str("user_id", device.UserID.String()).Err(err).Msg("Policy refuses a key request")
				return &mcrypto.KeyShareRejectNoResponse
			}
		}
		return def(ctx, device, info)
	}
}

// DiscardRoomKeys drops our outbound megolm session of each room, so that the next message starts
// a new one, shared only with the devices allowed then. BOS mode calls it when a server left the
// federation list: devices there hold the current sessions and could read what follows.
func (m *Machine) DiscardRoomKeys(ctx context.Context, rooms []id.RoomID) error {
	for _, roomID := range rooms {
		l := m.roomLock(roomID) // not while Encrypt uses the session
		l.Lock()
		err := m.mach.CryptoStore.RemoveOutboundGroupSession(ctx, roomID)
		l.Unlock()
		if err != nil {
			return fmt.Errorf("failed to discard the room key of %s: %w", roomID, err)
		}
	}
	return nil
}
