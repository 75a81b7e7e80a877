package crypto

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

func (m *Machine) roomLock(roomID id.RoomID) *sync.Mutex {
	l, _ := m.encryptMu.LoadOrStore(roomID, &sync.Mutex{})
	return l.(*sync.Mutex)
}

// Encrypt encrypts an event for a room, first sharing the room's megolm session with the devices
// of members when needed. members lists the users to share with (joined and invited). It fails
// rather than return anything unencrypted.
func (m *Machine) Encrypt(ctx context.Context, roomID id.RoomID, evType string, content json.RawMessage, members func(context.Context) ([]id.UserID, error)) (json.RawMessage, error) {
	var parsed map[string]any
	if err := json.Unmarshal(content, &parsed); err != nil {
		return nil, fmt.Errorf("failed to encrypt: content is not a JSON object: %w", err)
	}
	enc, err := m.encryptEvent(ctx, roomID, evType, parsed, members)
	if err != nil {
		return nil, err
	}
	return json.Marshal(enc)
}

// encryptEvent is Encrypt with content of any type that marshals to a JSON object.
func (m *Machine) encryptEvent(ctx context.Context, roomID id.RoomID, evType string, content any, members func(context.Context) ([]id.UserID, error)) (*event.EncryptedEventContent, error) {
	l := m.roomLock(roomID)
	l.Lock()
	defer l.Unlock()
	typ := event.Type{Type: evType, Class: event.MessageEventType}
	enc, err := m.mach.EncryptMegolmEvent(ctx, roomID, typ, content)
	if err != nil && mcrypto.IsShareError(err) {
		users, merr := members(ctx)
		if merr != nil {
			return nil, fmt.Errorf("failed to load room members for encryption: %w", merr)
		}
		if err := m.mach.ShareGroupSession(ctx, roomID, users); err != nil {
			return nil, fmt.Errorf("failed to share room key: %w", err)
		}
		// A new session of ours: put its key into the key backup too (if there is one).
		if _, err := m.BackupRoomKeys(ctx); err != nil {
			m.log.Warn().Err(err).Msg("Backing up the new room key failed")
		}
		enc, err = m.mach.EncryptMegolmEvent(ctx, roomID, typ, content)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to encrypt: %w", err)
	}
	return enc, nil
}
