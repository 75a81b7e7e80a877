package crypto

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Decrypted is the outcome of decrypting one m.room.encrypted event. Exactly one of Content and
// Error is set; SessionID is set whenever the event names a megolm session.
type Decrypted struct {
	Type       string
	Content    json.RawMessage
	RoomID     id.RoomID
	SessionID  id.SessionID
	SenderKey  id.SenderKey // the sending device's curve25519 key, for key requests
	Error      string       // why the event could not be decrypted, for the user
	Trust      id.TrustState
	MissingKey bool // the session is not (yet) known: worth retrying when it arrives
}

// Decrypt decrypts a room event (raw, as in the timeline). It never returns plaintext the sender
// did not encrypt: on any failure the result holds only the reason.
func (m *Machine) Decrypt(ctx context.Context, roomID id.RoomID, raw json.RawMessage) Decrypted {
	var evt event.Event
	if err := json.Unmarshal(raw, &evt); err != nil {
		return Decrypted{Error: "malformed encrypted event"}
	}
	evt.RoomID = roomID
	if err := evt.Content.ParseRaw(event.EventEncrypted); err != nil {
		return Decrypted{Error: "malformed encrypted content"}
	}
	content, ok := evt.Content.Parsed.(*event.EncryptedEventContent)
	if !ok {
		return Decrypted{Error: "malformed encrypted content"}
	}
	res := Decrypted{RoomID: roomID, SessionID: content.SessionID, SenderKey: content.SenderKey}
	if content.Algorithm != id.AlgorithmMegolmV1 {
		res.Error = fmt.Sprintf("unsupported encryption algorithm %q", content.Algorithm)
		return res
	}
	out, err := m.mach.DecryptMegolmEvent(ctx, &evt)
	if err != nil {
		res.Error, res.MissingKey = describe(err)
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

// describe turns a decryption error into a short reason for the user.
func describe(err error) (reason string, missingKey bool) {
	switch {
	case errors.Is(err, mcrypto.ErrNoSessionFound):
		return "the key for this message has not arrived (missing session)", true
	case errors.Is(err, mcrypto.ErrDuplicateMessageIndex):
		return "replayed message (message index used before)", false
	case errors.Is(err, mcrypto.ErrWrongRoom):
		return "message encrypted for another room", false
	case errors.Is(err, mcrypto.ErrDeviceKeyMismatch):
		return "sender device keys do not match", false
	case errors.Is(err, mcrypto.ErrCorruptedMegolmPayload):
		return "corrupted encrypted message", false
	case errors.Is(err, mcrypto.ErrUnsupportedAlgorithm):
		return "unsupported encryption algorithm", false
	}
	var withheld *event.RoomKeyWithheldEventContent
	if errors.As(err, &withheld) {
		return "the sender withheld the key: " + string(withheld.Code), false
	}
	return "could not decrypt: " + err.Error(), false
}
