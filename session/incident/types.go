package incident

import "errors"

// ErrInvalidTemplate is returned for a template document that cannot be used; the error names
// the source, the template and the field.
var ErrInvalidTemplate = errors.New("invalid incident template")

// Template is one incident room template.
type Template struct {
	ID          string        `json:"id"`                     // stable ID: bosctl incident create --template ID
	Name        string        `json:"name,omitempty"`         // display name ("" shows the ID)
	RoomName    string        `json:"room_name,omitempty"`    // pattern; "" is DefaultRoomName
	Topic       string        `json:"topic,omitempty"`        // pattern
	Encrypted   *bool         `json:"encrypted,omitempty"`    // nil: true
	PowerLevels *PowerLevels  `json:"power_levels,omitempty"` // nil: the server's defaults
	Invitees    []string      `json:"invitees,omitempty"`     // Matrix user IDs invited at creation
	Alert       AlertTemplate `json:"alert"`

	// Where the template came from (set by the loader, not part of the JSON).
	Source  string `json:"-"` // "policy" or the file's path
	Managed bool   `json:"-"` // from a managed (enforced) policy: the user cannot change it
}

// PowerLevels are the room's power levels: levels of named users and the default of everyone
// else. The creator always keeps 100.
type PowerLevels struct {
	Users        map[string]int `json:"users,omitempty"`
	UsersDefault *int           `json:"users_default,omitempty"`
}

// AlertTemplate is the alert sent as the room's first message.
type AlertTemplate struct {
	Keyword  string   `json:"keyword,omitempty"`  // the default keyword (Einsatzstichwort)
	Text     string   `json:"text,omitempty"`     // pattern
	Units    []string `json:"units,omitempty"`    // alerted units
	Deadline string   `json:"deadline,omitempty"` // response deadline after creation, e.g. "10m" ("": none)
	Required int      `json:"required,omitempty"` // required strength (0: not given)
	Priority string   `json:"priority,omitempty"` // alarm (default) or info
}

// DefaultRoomName is the room name pattern of a template that gives none.
const DefaultRoomName = "{date} {time} {keyword}"

// IsEncrypted reports whether the template's room is end-to-end encrypted (the default).
func (t Template) IsEncrypted() bool { return t.Encrypted == nil || *t.Encrypted }

// DisplayName is the name shown in lists: the name, else the ID.
func (t Template) DisplayName() string {
	if t.Name != "" {
		return t.Name
	}
	return t.ID
}
