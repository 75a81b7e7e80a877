package alert

import "maunium.net/go/mautrix/id"

// Keys and event types of the protocol.
const (
	KeyAlert    = "de.bos.alert"          // content key of an alert (in an m.room.message)
	KeyResponse = "de.bos.alert.response" // content key of a response (in an m.room.message)
	KeyStatus   = "de.bos.status"         // content key of a unit status (in an m.room.message)
	TypeAck     = "de.bos.alert.ack"      // event type of a receipt
	TypeMessage = "m.room.message"
)

// Priority of an alert.
type Priority string

// Alert priorities: an alarm breaks through, an info is quieter.
const (
	PriorityAlarm Priority = "alarm"
	PriorityInfo  Priority = "info"
)

// Status is the answer of a response (Rückmeldung).
type Status string

// Response statuses.
const (
	StatusComing    Status = "coming"     // komme
	StatusNotComing Status = "not_coming" // komme nicht
	StatusLater     Status = "later"      // später
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	return s == StatusComing || s == StatusNotComing || s == StatusLater
}

// Valid reports whether p is alarm or info.
func (p Priority) Valid() bool { return p == PriorityAlarm || p == PriorityInfo }

// Alert is the "de.bos.alert" object.
type Alert struct {
	ID         string   `json:"id"`                    // the dispatch system's or sender's alert ID
	Keyword    string   `json:"keyword"`               // Einsatzstichwort, e.g. "B3 Brand Gebäude"
	Text       string   `json:"text"`                  // free text
	Address    string   `json:"address"`               // Einsatzort ("" when none)
	Units      []string `json:"units"`                 // alerted units (never null on the wire)
	Priority   Priority `json:"priority"`              // alarm or info
	DeadlineTS int64    `json:"deadline_ts,omitempty"` // response deadline, ms since the epoch (0: none)
	Required   int      `json:"required"`              // required strength (0: not given)
}

// Response is the "de.bos.alert.response" object.
type Response struct {
	Status     Status `json:"status"`
	ETAMinutes int    `json:"eta_minutes,omitempty"` // 0: not given
	Comment    string `json:"comment,omitempty"`
}

// UnitStatus is the "de.bos.status" object (FMS status of a unit).
type UnitStatus struct {
	FMS  int    `json:"fms"`  // 0-9
	Unit string `json:"unit"` // e.g. "HLF 20-1" ("" : the sender itself)
}

// Info is an alert event as stored: the alert with where it came from.
type Info struct {
	Alert
	EventID id.EventID `json:"event_id"`
	RoomID  id.RoomID  `json:"room_id"`
	Sender  id.UserID  `json:"sender"`
	TS      int64      `json:"ts"`
	Body    string     `json:"body"` // the readable fallback
}

// Limits of the fields (the parsers refuse longer values; builders check them too).
const (
	MaxKeyword = 200
	MaxText    = 4000
	MaxAddress = 500
	MaxUnits   = 100
	MaxUnit    = 100
	MaxComment = 1000
	MaxETA     = 24 * 60
	MaxID      = 200
)
