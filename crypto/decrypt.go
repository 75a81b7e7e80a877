package crypto

import (
	"context"
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Decrypted is the outcome of decrypting one m.room.encrypted event. Exactly one of Content and
// Error is set; SessionID is set whenever the event names a megolm session.
type Decrypted struct {
	Type      string
	Content   json.RawMessage
	RoomID    id.RoomID
	SessionID id.SessionID
	SenderKey id.SenderKey // the sending device's curve25519 key, for key requests
	Error     string       // why the event could not be decrypted, for the user (detail text)
	Reason    Reason       // the same as a stable code; set exactly when Error is
	Trust     id.TrustState
	// SessionUnknown: the megolm session is not known here although Reason says something else
	// (an event held back on a locked managed device), so its key is still worth asking for.
	SessionUnknown bool
}

// MissingKey reports whether the session is not (yet) known: worth retrying when it arrives.
func (d Decrypted) MissingKey() bool { return d.Reason == ReasonMissingKey || d.SessionUnknown }

// failed is the outcome of an event that cannot be decrypted.
func failed(reason Reason, detail string) Decrypted {
	return Decrypted{Reason: reason, Error: detail}
}

// Decrypt decrypts a room event (raw, as in the timeline). It never returns plaintext the sender
// did not encrypt: on any failure the result holds only the reason.
func (m *Machine) Decrypt(ctx context.Context, roomID id.RoomID, raw json.RawMessage) Decrypted {
	var evt event.Event
	if err := json.Unmarshal(raw, &evt); err != nil {
		return failed(ReasonOther, "malformed encrypted event")
	}
	evt.RoomID = roomID
	if err := evt.Content.ParseRaw(event.EventEncrypted); err != nil {
		return failed(ReasonOther, "malformed encrypted content")
	}
	content, ok := evt.Content.Parsed.(*event.EncryptedEventContent)
	if !ok {
		return failed(ReasonOther, "malformed encrypted content")
	}
	res := Decrypted{RoomID: roomID, SessionID: content.SessionID, SenderKey: content.SenderKey}
	if content.Algorithm != id.AlgorithmMegolmV1 {
		res.Reason, res.Error = ReasonUnknownAlgorithm, fmt.Sprintf("unsupported encryption algorithm %q", content.Algorithm)
		return res
	}
	out, err := m.mach.DecryptMegolmEvent(ctx, &evt)
	if err != nil {
		res.Reason, res.Error = classify(err)
		return res
	}
	res.Type = out.Type.Type
	res.Content = out.Content.VeryRaw
	if out.Mautrix.TrustState != 0 {
		res.Trust = out.Mautrix.TrustState
	}
	if len(res.Content) == 0 {
		res.Content, _ = json.Marshal(out.Content.Raw)
	}
	return res
}
