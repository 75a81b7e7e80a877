package crypto

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// roomState answers mautrix's questions about rooms from the account store.
type roomState struct {
	db *store.DB
}

func (r *roomState) IsEncrypted(ctx context.Context, roomID id.RoomID) (enc bool, err error) {
	err = r.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		enc = ok && room.Encryption != ""
		return err
	})
	return enc, err
}

func (r *roomState) GetEncryptionEvent(ctx context.Context, roomID id.RoomID) (*event.EncryptionEventContent, error) {
	var out *event.EncryptionEventContent
	err := r.stateContent(ctx, roomID, "m.room.encryption", func(raw json.RawMessage) error {
		out = &event.EncryptionEventContent{}
		return json.Unmarshal(raw, out)
	})
	return out, err
}

func (r *roomState) GetHistoryVisibility(ctx context.Context, roomID id.RoomID) (*event.HistoryVisibilityEventContent, error) {
	var out *event.HistoryVisibilityEventContent
	err := r.stateContent(ctx, roomID, "m.room.history_visibility", func(raw json.RawMessage) error {
		out = &event.HistoryVisibilityEventContent{}
		return json.Unmarshal(raw, out)
	})
	return out, err
}

func (r *roomState) FindSharedRooms(ctx context.Context, userID id.UserID) (out []id.RoomID, err error) {
	err = r.db.Read(ctx, func(tx *store.Tx) error {
		rooms, err := tx.EncryptedRoomsWithMember(userID.String())
		for _, r := range rooms {
			out = append(out, id.RoomID(r))
		}
		return err
	})
	return out, err
}

func (r *roomState) stateContent(ctx context.Context, roomID id.RoomID, evType string, fn func(json.RawMessage) error) error {
	return r.db.Read(ctx, func(tx *store.Tx) error {
		ev, ok, err := tx.StateEvent(roomID.String(), evType, "")
		if err != nil || !ok {
			return err
		}
		return fn(ev.Content)
	})
}
