package exportdoc

import (
	"encoding/json"

	"bosmessenger/session/alert"
)

// Verification states of an event's sender device (Event.Verification).
const (
	VerifiedSender   = "verified"      // decrypted, the sender's device is verified (cross-signed by a verified owner, or by SAS)
	UnverifiedSender = "unverified"    // decrypted, the sender's device is not verified
	Undecryptable    = "undecryptable" // encrypted, no key: no content
	NotEncrypted     = "not_encrypted" // sent in the clear
)

// Events is events.json.
type Events struct {
	Format     string  `json:"format"`
	Version    int     `json:"version"`
	RoomID     string  `json:"room_id"`
	RoomName   string  `json:"room_name"`
	UserID     string  `json:"user_id"`
	DeviceID   string  `json:"device_id"`
	CreatedTS  int64   `json:"created_ts"`
	SinceTS    *int64  `json:"since_ts"`
	UntilTS    *int64  `json:"until_ts"`
	Events     []Event `json:"events"`
	Incomplete bool    `json:"incomplete,omitempty"` // the server's history ended (or local retention cut it) after the range's start
}

// Event is one event of the room in the range, oldest first.
type Event struct {
	EventID          string          `json:"event_id"`
	Type             string          `json:"type"` // the plaintext type of a decrypted event
	StateKey         *string         `json:"state_key,omitempty"`
	Sender           string          `json:"sender"`
	SenderName       string          `json:"sender_name,omitempty"`
	TS               int64           `json:"ts"`
	Time             string          `json:"time"` // ts as RFC 3339 (UTC)
	Encrypted        bool            `json:"encrypted"`
	Verification     string          `json:"verification"`           // one of the states above
	SenderTrust      string          `json:"sender_trust,omitempty"` // mautrix trust state of the sender's device
	Content          json.RawMessage `json:"content,omitempty"`      // the decrypted (or clear) content
	DecryptionError  string          `json:"decryption_error,omitempty"`
	DecryptionReason string          `json:"decryption_reason,omitempty"`
	RelType          string          `json:"rel_type,omitempty"`
	RelatesTo        string          `json:"relates_to,omitempty"`
	Redacted         bool            `json:"redacted,omitempty"`
	Damaged          bool            `json:"damaged,omitempty"`
	AlertBoard       *alert.Board    `json:"alert_board,omitempty"` // alerts: who answered what, at export time
}

// EncodeEvents returns the bytes of events.json.
func EncodeEvents(e *Events) ([]byte, error) {
	if e.Events == nil {
		e.Events = []Event{}
	}
	return marshal(e)
}
