package alert

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin also where the OS has no zone database (Windows)
	"unicode/utf8"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// ErrInvalid is returned for alert, response or status data that the protocol does not allow.
var ErrInvalid = errors.New("invalid alerting data")

// Berlin is the time zone of the readable fallbacks (Europe/Berlin).
var Berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// NewID makes a random alert ID.
func NewID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func checkText(name, v string, maxLen int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return invalid("%s is missing", name)
	case !utf8.ValidString(v):
		return invalid("%s is not UTF-8", name)
	case len(v) > maxLen:
		return invalid("%s is longer than %d bytes", name, maxLen)
	}
	return nil
}

// Normalize fills defaults (a new ID, priority alarm, an empty unit list) and checks the alert.
func (a *Alert) Normalize() error {
	a.Keyword, a.Text, a.Address = strings.TrimSpace(a.Keyword), strings.TrimSpace(a.Text), strings.TrimSpace(a.Address)
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.Priority == "" {
		a.Priority = PriorityAlarm
	}
	if a.Units == nil {
		a.Units = []string{}
	}
	if !a.Priority.Valid() {
		return invalid("priority must be alarm or info, not %q", a.Priority)
	}
	if a.Required < 0 {
		return invalid("required must not be negative")
	}
	if a.DeadlineTS < 0 {
		return invalid("deadline must not be negative")
	}
	if len(a.Units) > MaxUnits {
		return invalid("more than %d units", MaxUnits)
	}
	for i, u := range a.Units {
		a.Units[i] = strings.TrimSpace(u)
		if err := checkText("unit", a.Units[i], MaxUnit, true); err != nil {
			return err
		}
	}
	return errors.Join(checkText("id", a.ID, MaxID, true), checkText("keyword", a.Keyword, MaxKeyword, true),
		checkText("text", a.Text, MaxText, false), checkText("address", a.Address, MaxAddress, false))
}

// clock formats a deadline in Europe/Berlin: "19:42", or "04.12. 19:42" on another day than now.
func clock(deadlineTS int64, now time.Time) string {
	d := time.UnixMilli(deadlineTS).In(Berlin)
	n := now.In(Berlin)
	if d.YearDay() != n.YearDay() || d.Year() != n.Year() {
		return d.Format("02.01. 15:04")
	}
	return d.Format("15:04")
}

// AlertBody is the readable fallback of an alert: a headline "ALARM B3 Brand Gebäude – Hauptstr. 1 –
// Rückmeldung bis 19:42" (INFO for info alerts), then the text and the units on lines of their own;
// html is the same as org.matrix.custom.html.
func AlertBody(a Alert, now time.Time) (plain, htmlBody string) {
	word := "ALARM"
	if a.Priority == PriorityInfo {
		word = "INFO"
	}
	head := []string{word + " " + a.Keyword}
	if a.Address != "" {
		head = append(head, a.Address)
	}
	if a.DeadlineTS > 0 {
		head = append(head, "Rückmeldung bis "+clock(a.DeadlineTS, now))
	}
	lines := []string{strings.Join(head, " – ")}
	hlines := []string{"<b>" + html.EscapeString(word+" "+a.Keyword) + "</b>"}
	if len(head) > 1 {
		hlines[0] += html.EscapeString(" – " + strings.Join(head[1:], " – "))
	}
	if a.Text != "" {
		lines = append(lines, a.Text)
		hlines = append(hlines, strings.ReplaceAll(html.EscapeString(a.Text), "\n", "<br>"))
	}
	if len(a.Units) > 0 {
		u := "Einheiten: " + strings.Join(a.Units, ", ")
		lines = append(lines, u)
		hlines = append(hlines, html.EscapeString(u))
	}
	return strings.Join(lines, "\n"), strings.Join(hlines, "<br>")
}

type alertContent struct {
	*event.MessageEventContent
	Alert Alert `json:"de.bos.alert"`
}

// AlertContent builds the m.room.message content of an alert (after Normalize). Alarms mention
// the room (m.mentions room), so that other clients notify everybody.
func AlertContent(a Alert, now time.Time) (any, error) {
	if err := a.Normalize(); err != nil {
		return nil, err
	}
	plain, htmlBody := AlertBody(a, now)
	msg := &event.MessageEventContent{MsgType: event.MsgText, Body: plain, Format: event.FormatHTML, FormattedBody: htmlBody,
		Mentions: &event.Mentions{}}
	if a.Priority == PriorityAlarm {
		msg.Mentions.Room = true
	}
	return &alertContent{MessageEventContent: msg, Alert: a}, nil
}

// Check checks a response.
func (r *Response) Check() error {
	r.Comment = strings.TrimSpace(r.Comment)
	if !r.Status.Valid() {
		return invalid("status must be coming, not_coming or later, not %q", r.Status)
	}
	if r.ETAMinutes < 0 || r.ETAMinutes > MaxETA {
		return invalid("eta must be 0 to %d minutes", MaxETA)
	}
	return checkText("comment", r.Comment, MaxComment, false)
}

// ResponseBody is the readable fallback of a response: "Komme – ca. 8 Min." (and the comment).
func ResponseBody(r Response) string {
	parts := []string{map[Status]string{StatusComing: "Komme", StatusNotComing: "Komme nicht", StatusLater: "Später"}[r.Status]}
	if r.ETAMinutes > 0 && r.Status != StatusNotComing {
		parts = append(parts, fmt.Sprintf("ca. %d Min.", r.ETAMinutes))
	}
	if r.Comment != "" {
		parts = append(parts, r.Comment)
	}
	return strings.Join(parts, " – ")
}

type responseContent struct {
	*event.MessageEventContent
	Response Response `json:"de.bos.alert.response"`
}

// ResponseContent builds the m.room.message content of a response to the alert event alertEvent.
func ResponseContent(alertEvent id.EventID, r Response) (any, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	if alertEvent == "" {
		return nil, invalid("no alert event")
	}
	msg := &event.MessageEventContent{MsgType: event.MsgText, Body: ResponseBody(r),
		RelatesTo: &event.RelatesTo{Type: event.RelReference, EventID: alertEvent}}
	return &responseContent{MessageEventContent: msg, Response: r}, nil
}

type ackContent struct {
	RelatesTo event.RelatesTo `json:"m.relates_to"`
}

// AckContent builds the content of a de.bos.alert.ack event for the alert event alertEvent.
func AckContent(alertEvent id.EventID) any {
	return &ackContent{RelatesTo: event.RelatesTo{Type: event.RelReference, EventID: alertEvent}}
}

// Check checks a unit status.
func (s *UnitStatus) Check() error {
	s.Unit = strings.TrimSpace(s.Unit)
	if s.FMS < 0 || s.FMS > 9 {
		return invalid("FMS status must be 0 to 9, not %d", s.FMS)
	}
	return checkText("unit", s.Unit, MaxUnit, false)
}

type statusContent struct {
	*event.MessageEventContent
	Status UnitStatus `json:"de.bos.status"`
}

// StatusContent builds the m.room.message content of a unit status.
func StatusContent(s UnitStatus) (any, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	msg := &event.MessageEventContent{MsgType: event.MsgText, Body: StatusBody(s)}
	return &statusContent{MessageEventContent: msg, Status: s}, nil
}
