package incident

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
)

// Input is what the person starting an incident gives: the keyword (else the template's), the
// address and a text (else the template's).
type Input struct {
	Keyword string
	Address string
	Text    string
}

// Plan is one incident made from a template: what the session creates and sends.
type Plan struct {
	RoomName    string
	Topic       string
	Encrypted   bool
	PowerLevels *PowerLevels // nil: the server's defaults
	Invitees    []id.UserID
	Alert       alert.Alert // normalized; the room's first message
}

// Plan fills the template with in at time now (placeholders in Europe/Berlin). A missing keyword
// or bad input gives alert.ErrInvalid.
func (t Template) Plan(in Input, now time.Time) (Plan, error) {
	kw := strings.TrimSpace(in.Keyword)
	if kw == "" {
		kw = strings.TrimSpace(t.Alert.Keyword)
	}
	if kw == "" {
		return Plan{}, fmt.Errorf("%w: keyword is missing (template %s has no default keyword)", alert.ErrInvalid, t.ID)
	}
	v := Values{Time: now.In(alert.Berlin), Keyword: kw, Address: strings.TrimSpace(in.Address), Template: t.DisplayName()}
	pattern := t.RoomName
	if pattern == "" {
		pattern = DefaultRoomName
	}
	name, err := expandLine(pattern, v)
	if err != nil {
		return Plan{}, fmt.Errorf("%w: template %s: room_name: %v", ErrInvalidTemplate, t.ID, err)
	}
	if name == "" {
		name = kw
	}
	topic, err := expandLine(t.Topic, v)
	if err != nil {
		return Plan{}, fmt.Errorf("%w: template %s: topic: %v", ErrInvalidTemplate, t.ID, err)
	}
	text := strings.TrimSpace(in.Text)
	if text == "" {
		if text, err = expand(t.Alert.Text, v); err != nil {
			return Plan{}, fmt.Errorf("%w: template %s: alert.text: %v", ErrInvalidTemplate, t.ID, err)
		}
	}
	a := alert.Alert{Keyword: kw, Text: text, Address: v.Address, Units: append([]string(nil), t.Alert.Units...),
		Priority: alert.Priority(t.Alert.Priority), Required: t.Alert.Required}
	if t.Alert.Deadline != "" {
		d, err := time.ParseDuration(t.Alert.Deadline)
		if err != nil {
			return Plan{}, fmt.Errorf("%w: template %s: alert.deadline: %v", ErrInvalidTemplate, t.ID, err)
		}
		a.DeadlineTS = now.Add(d).UnixMilli()
	}
	if err := a.Normalize(); err != nil {
		return Plan{}, err
	}
	p := Plan{RoomName: cut(name, MaxRoomName), Topic: cut(topic, MaxTopic), Encrypted: t.IsEncrypted(), PowerLevels: t.PowerLevels, Alert: a}
	for _, u := range t.Invitees {
		p.Invitees = append(p.Invitees, id.UserID(u))
	}
	return p, nil
}

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
