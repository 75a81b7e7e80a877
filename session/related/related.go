// Package related holds the event that refers to another one (an alert's responses, a poll's
// votes and ends) in the form the BOS feature packages fold: its plaintext type and content.
package related

import (
	"encoding/json"

	"maunium.net/go/mautrix/id"
)

// Event is a stored or queued event that refers to another one, with its plaintext type and
// content. Folding goes by TS, then by the order of the list (our queued events go last).
type Event struct {
	EventID id.EventID
	Sender  id.UserID
	Type    string
	Content json.RawMessage
	TS      int64
}
