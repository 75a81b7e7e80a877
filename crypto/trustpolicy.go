package crypto

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// SetExcludeInsecureDevices switches "exclude insecure devices" (MSC4153) on or off. On, room keys
// go only to devices their owner has cross-signed; others get a withheld notice (m.unverified)
// instead. Received messages carry the sender device's trust either way, so a front end can flag
// messages from devices that are not cross-signed. When a device left out becomes cross-signed,
// the room key is rotated at the next sync that brings the change, so the next message reaches it.
// BOS mode will force this on.
func (m *Machine) SetExcludeInsecureDevices(on bool) {
	if on {
		m.mach.SendKeysMinTrust = id.TrustStateCrossSignedTOFU
	} else {
		m.mach.SendKeysMinTrust = id.TrustStateUnset
	}
}

// rotateForNewlyTrusted discards the outbound megolm session of each room shared with users in
// which a device of theirs was left out for lacking trust (exclude insecure devices: it got a
// withheld notice) but is trusted enough now, for example because its owner cross-signed it
// since. The next message then starts a new session that is shared with that device too. mautrix
// keeps such a device ignored for the session's lifetime and rotates only when a device is added
// or removed. users are those whose keys were just refreshed (device list changes of a sync).
func (m *Machine) rotateForNewlyTrusted(ctx context.Context, users []id.UserID) {
	if m.mach.SendKeysMinTrust <= id.TrustStateUnset {
		return // nobody is left out for lacking trust
	}
	for _, userID := range users {
		devices, err := m.mach.CryptoStore.GetDevices(ctx, userID)
		if err != nil || len(devices) == 0 {
			continue
		}
		rooms, err := m.rooms.FindSharedRooms(ctx, userID)
		if err != nil {
			m.log.Warn().Err(err).Msg("Finding the rooms shared with a user failed")
			continue
		}
		for _, roomID := range rooms {
			if err := m.rotateIfNewlyTrusted(ctx, roomID, userID, devices); err != nil {
				m.log.Warn().Err(err).Str("room_id", roomID.String()).Msg("Rotating a room key for a newly trusted device failed")
			}
		}
	}
}

// rotateIfNewlyTrusted discards roomID's outbound session if one of devices (of userID) did not
// get it but is trusted enough now.
func (m *Machine) rotateIfNewlyTrusted(ctx context.Context, roomID id.RoomID, userID id.UserID, devices map[id.DeviceID]*id.Device) error {
	l := m.roomLock(roomID) // not while Encrypt uses the session
	l.Lock()
	defer l.Unlock()
	sess, err := m.mach.CryptoStore.GetOutboundGroupSession(ctx, roomID)
	if err != nil || sess == nil {
		return err
	}
	for deviceID, dev := range devices {
		if (userID == m.mach.Client.UserID && deviceID == m.mach.Client.DeviceID) || dev.Trust == id.TrustStateBlacklisted {
			continue
		}
		// The store does not keep the session's per-device states (Users), only to whom it
		// was shared.
		shared, err := m.mach.CryptoStore.IsOutboundGroupSessionShared(ctx, userID, dev.IdentityKey, sess.ID())
		if err != nil {
			return fmt.Errorf("failed to check whether the room key went to %s: %w", deviceID, err)
		}
		if shared {
			continue
		}
		trust, err := m.resolveTrust(ctx, dev)
		if err != nil {
			return fmt.Errorf("failed to resolve trust of %s: %w", deviceID, err)
		}
		if trust >= m.mach.SendKeysMinTrust {
			m.log.Info().Str("room_id", roomID.String()).Str("user_id", userID.String()).Str("device_id", deviceID.String()).
				Msg("Rotating the room key: a device left out for lacking trust is trusted now")
			if err := m.mach.CryptoStore.RemoveOutboundGroupSession(ctx, roomID); err != nil {
				return fmt.Errorf("failed to discard the outbound session: %w", err)
			}
			return nil
		}
	}
	return nil
}
