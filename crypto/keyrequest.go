package crypto

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// RequestRoomKey asks our own other devices for a megolm session this device is missing. They
// answer (with a forwarded room key) only if they trust this device, i.e. after it was verified.
func (m *Machine) RequestRoomKey(ctx context.Context, roomID id.RoomID, senderKey id.SenderKey, sessionID id.SessionID) error {
	own := m.mach.Client.UserID
	err := m.mach.SendRoomKeyRequest(ctx, roomID, senderKey, sessionID, "", map[id.UserID][]id.DeviceID{own: {"*"}})
	if err != nil {
		return fmt.Errorf("failed to request room key: %w", err)
	}
	return nil
}

// HasSession reports whether the megolm session is known now (however it arrived).
func (m *Machine) HasSession(ctx context.Context, roomID id.RoomID, sessionID id.SessionID) bool {
	igs, err := m.mach.CryptoStore.GetGroupSession(ctx, roomID, sessionID)
	return err == nil && igs != nil
}
