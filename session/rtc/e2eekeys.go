package rtc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// KeysEventType is the to-device event that carries a participant's media key (Element Call,
// matrix-js-sdk's ToDeviceKeyTransport). It is always sent Olm-encrypted.
var KeysEventType = event.Type{Type: "io.element.call.encryption_keys", Class: event.ToDeviceEventType}

// MediaKey is one media key of a participant: its index (0..255, the key ID in every frame)
// and the raw key, base64.
type MediaKey struct {
	Index int    `json:"index"`
	Key   string `json:"key"`
}

// KeysMember names the sending device (as claimed by the sender: the receiver checks it against
// the Olm session's device).
type KeysMember struct {
	ClaimedDeviceID id.DeviceID `json:"claimed_device_id"`
}

// KeysSession names the MatrixRTC session the key is for.
type KeysSession struct {
	Application string `json:"application"`
	CallID      string `json:"call_id"`
	Scope       string `json:"scope"`
}

// KeysContent is the content of io.element.call.encryption_keys.
type KeysContent struct {
	Keys    MediaKey    `json:"keys"`
	RoomID  id.RoomID   `json:"room_id"`
	Member  KeysMember  `json:"member"`
	Session KeysSession `json:"session"`
	SentTS  int64       `json:"sent_ts,omitempty"`
}

// ErrMalformedKeys says that an io.element.call.encryption_keys event is not usable.
var ErrMalformedKeys = errors.New("malformed call encryption keys event")

// NewKeysContent is the content that gives a device's media key at index to the others of a
// room's call.
func NewKeysContent(roomID id.RoomID, device id.DeviceID, index uint8, raw []byte, now time.Time) KeysContent {
	return KeysContent{Keys: MediaKey{Index: int(index), Key: base64.StdEncoding.EncodeToString(raw)},
		RoomID: roomID, Member: KeysMember{ClaimedDeviceID: device},
		Session: KeysSession{Application: ApplicationCall, CallID: "", Scope: ScopeRoom}, SentTS: now.UnixMilli()}
}

// ParseKeysContent reads an io.element.call.encryption_keys content: the room, the claimed
// device, the key index and the raw key.
func ParseKeysContent(raw []byte) (KeysContent, uint8, []byte, error) {
	var c KeysContent
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, 0, nil, ErrMalformedKeys
	}
	if c.RoomID == "" || c.Member.ClaimedDeviceID == "" || c.Keys.Key == "" || c.Keys.Index < 0 || c.Keys.Index > 255 {
		return c, 0, nil, ErrMalformedKeys
	}
	if c.Session.Application != "" && c.Session.Application != ApplicationCall {
		return c, 0, nil, ErrMalformedKeys
	}
	key, err := decodeBase64Any(c.Keys.Key)
	if err != nil || len(key) == 0 || len(key) > 64 {
		return c, 0, nil, ErrMalformedKeys
	}
	return c, uint8(c.Keys.Index), key, nil
}

// decodeBase64Any accepts standard and URL base64, padded or not (matrix-js-sdk's decodeBase64).
func decodeBase64Any(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
