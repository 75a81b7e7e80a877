package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
)

// startRoomVerification asks userID to verify with us in roomID (usually our DM with them), the
// way Element verifies other users: the request and every later step are room events, encrypted
// in an encrypted room. When one of their devices accepts, SAS starts and Emojis become
// available; the rest is as with StartVerification. Info().RoomID is the room.
func (s *Session) startRoomVerification(ctx context.Context, roomID id.RoomID, userID id.UserID) (*Verification, error) {
	if s.e2ee == nil {
		return nil, fmt.Errorf("%w: encryption is not available", ErrCannotEncrypt)
	}
	if err := s.checkPolicy(ctx, "verify in "+roomID.String(), PolicyRequest{Action: ActionSend, RoomID: roomID.String()}); err != nil {
		return nil, err
	}
	s.e2ee.SetRoomKeyRecipients(s.keyRecipients)
	v, err := s.e2ee.StartRoomVerification(ctx, roomID, userID)
	if err != nil {
		return nil, err
	}
	return &Verification{s: s, id: v.ID}, nil
}

// feedRoomVerification hands the in-room verification events among a room's live timeline
// events (raws, as in the sync response; out holds their decryptions) to the crypto machine.
// History (backfill) and events decrypted again later never come here, and the machine
// ignores events older than e2ee.RoomVerificationMaxAge and those it saw before.
func (s *Session) feedRoomVerification(ctx context.Context, roomID id.RoomID, raws []json.RawMessage, out decryptions) {
	if s.e2ee == nil {
		return
	}
	recipientsSet := false
	for _, raw := range raws {
		// Cheap tests first: most events take no part in verification.
		encrypted := bytes.Contains(raw, []byte(`"m.room.encrypted"`))
		if !encrypted && !bytes.Contains(raw, []byte("m.key.verification.")) {
			continue
		}
		var head struct {
			Type    string `json:"type"`
			EventID string `json:"event_id"`
		}
		if json.Unmarshal(raw, &head) != nil || head.EventID == "" {
			continue
		}
		var d e2ee.Decrypted
		if head.Type == "m.room.encrypted" {
			var ok bool
			d, ok = out[head.EventID]
			if !ok || d.Error != "" || !e2ee.IsRoomVerificationEvent(d.Type, d.Content) {
				continue
			}
		}
		var ev struct {
			Type     string          `json:"type"`
			EventID  id.EventID      `json:"event_id"`
			Sender   id.UserID       `json:"sender"`
			TS       int64           `json:"origin_server_ts"`
			StateKey *string         `json:"state_key"`
			Content  json.RawMessage `json:"content"`
		}
		if json.Unmarshal(raw, &ev) != nil || ev.StateKey != nil {
			continue
		}
		if head.Type == "m.room.encrypted" {
			ev.Type, ev.Content = d.Type, d.Content
		} else if !e2ee.IsRoomVerificationEvent(ev.Type, ev.Content) {
			continue
		}
		if !recipientsSet {
			// Answering may need a new megolm session: shared like a message's.
			s.e2ee.SetRoomKeyRecipients(s.keyRecipients)
			recipientsSet = true
		}
		s.e2ee.HandleRoomVerification(ctx, e2ee.RoomEvent{RoomID: roomID, EventID: ev.EventID, Sender: ev.Sender,
			Timestamp: ev.TS, Type: ev.Type, Content: ev.Content})
	}
}
