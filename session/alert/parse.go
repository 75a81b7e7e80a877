package alert

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// wire is the part of a message content the parsers read.
type wire struct {
	MsgType   string `json:"msgtype"`
	Body      string `json:"body"`
	RelatesTo *struct {
		RelType   string `json:"rel_type"`
		EventID   string `json:"event_id"`
		InReplyTo *struct {
			EventID string `json:"event_id"`
		} `json:"m.in_reply_to"`
	} `json:"m.relates_to"`
	Alert    json.RawMessage `json:"de.bos.alert"`
	Response json.RawMessage `json:"de.bos.alert.response"`
	Status   json.RawMessage `json:"de.bos.status"`
}

func parseWire(content json.RawMessage) (*wire, bool) {
	var w wire
	if json.Unmarshal(content, &w) != nil {
		return nil, false
	}
	return &w, true
}

// target is the event a message refers to: an m.reference, a reply (m.in_reply_to) or a thread
// (whose root is the alert).
func (w *wire) target() id.EventID {
	r := w.RelatesTo
	if r == nil {
		return ""
	}
	switch r.RelType {
	case "m.reference", "m.thread":
		if r.EventID != "" {
			return id.EventID(r.EventID)
		}
	}
	if r.InReplyTo != nil {
		return id.EventID(r.InReplyTo.EventID)
	}
	return ""
}

func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ParseAlert reads the alert of an event (type and plaintext content); ok is false for anything
// else. Other vendors' alerts are read leniently: an unknown priority counts as alarm, over-long
// fields are cut, a missing ID or keyword is tolerated as long as the object is there.
func ParseAlert(evType string, content json.RawMessage) (Alert, bool) {
	if evType != TypeMessage {
		return Alert{}, false
	}
	w, ok := parseWire(content)
	if !ok || len(w.Alert) == 0 || w.Alert[0] != '{' {
		return Alert{}, false
	}
	var a Alert
	if json.Unmarshal(w.Alert, &a) != nil {
		return Alert{}, false
	}
	if !a.Priority.Valid() {
		a.Priority = PriorityAlarm
	}
	a.ID, a.Keyword = clip(a.ID, MaxID), clip(a.Keyword, MaxKeyword)
	a.Text, a.Address = clip(a.Text, MaxText), clip(a.Address, MaxAddress)
	if len(a.Units) > MaxUnits {
		a.Units = a.Units[:MaxUnits]
	}
	units := make([]string, 0, len(a.Units))
	for _, u := range a.Units {
		if u = clip(strings.TrimSpace(u), MaxUnit); u != "" {
			units = append(units, u)
		}
	}
	a.Units = units
	a.Required = max(a.Required, 0)
	a.DeadlineTS = max(a.DeadlineTS, 0)
	return a, true
}

// plainAnswers are the texts a plain reply may consist of (compared case-insensitively).
var plainAnswers = []struct {
	text   string
	status Status
}{{"komme", StatusComing}, {"komme nicht", StatusNotComing}, {"später", StatusLater}}

// PlainStatus reads a plain answer: "komme", "komme nicht" or "später" in any case (surrounding
// white space aside), else "".
func PlainStatus(body string) Status {
	t := strings.TrimSpace(strings.ReplaceAll(body, "a\u0308", "ä")) // decomposed ä (NFD)
	t = strings.ReplaceAll(t, "A\u0308", "Ä")
	for _, p := range plainAnswers {
		if strings.EqualFold(t, p.text) {
			return p.status
		}
	}
	return ""
}

// StripReplyFallback removes the reply fallback a reply body may start with ("> <@user> ..."
// lines), the same way the timeline does (mautrix's event.TrimReplyFallbackText). Text the user
// quoted by hand stays.
func StripReplyFallback(body string) string {
	return event.TrimReplyFallbackText(body)
}

// ParseResponse reads a response and the alert event it answers: a "de.bos.alert.response"
// object, or a plain m.text reply (m.in_reply_to, m.reference or a thread on the alert) whose
// text without the reply fallback is "komme", "komme nicht" or "später" in any case.
func ParseResponse(evType string, content json.RawMessage) (alertEvent id.EventID, r Response, ok bool) {
	if evType != TypeMessage {
		return "", Response{}, false
	}
	w, ok := parseWire(content)
	if !ok {
		return "", Response{}, false
	}
	target := w.target()
	if target == "" {
		return "", Response{}, false
	}
	if len(w.Response) > 0 && w.Response[0] == '{' && json.Unmarshal(w.Response, &r) == nil && r.Status.Valid() {
		if r.ETAMinutes < 0 || r.ETAMinutes > MaxETA {
			r.ETAMinutes = 0
		}
		r.Comment = clip(r.Comment, MaxComment)
		return target, r, true
	}
	if w.MsgType != "m.text" {
		return "", Response{}, false
	}
	if st := PlainStatus(StripReplyFallback(w.Body)); st != "" {
		return target, Response{Status: st}, true
	}
	return "", Response{}, false
}

// ParseAck reads a receipt (de.bos.alert.ack) and the alert event it acknowledges.
func ParseAck(evType string, content json.RawMessage) (alertEvent id.EventID, ok bool) {
	if evType != TypeAck {
		return "", false
	}
	w, ok := parseWire(content)
	if !ok || w.RelatesTo == nil || w.RelatesTo.RelType != "m.reference" || w.RelatesTo.EventID == "" {
		return "", false
	}
	return id.EventID(w.RelatesTo.EventID), true
}

// ParseStatus reads a unit status (FMS 0-9).
func ParseStatus(evType string, content json.RawMessage) (UnitStatus, bool) {
	if evType != TypeMessage {
		return UnitStatus{}, false
	}
	w, ok := parseWire(content)
	if !ok || len(w.Status) == 0 || w.Status[0] != '{' {
		return UnitStatus{}, false
	}
	var s UnitStatus
	var probe struct {
		FMS *int `json:"fms"`
	}
	if json.Unmarshal(w.Status, &s) != nil || json.Unmarshal(w.Status, &probe) != nil || probe.FMS == nil || s.FMS < 0 || s.FMS > 9 {
		return UnitStatus{}, false
	}
	s.Unit = clip(strings.TrimSpace(s.Unit), MaxUnit)
	return s, true
}
