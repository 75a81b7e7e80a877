package alert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	f.Add(`{"msgtype":"m.text","body":"ALARM","de.bos.alert":{"id":"1","keyword":"B3","units":["HLF"],"priority":"alarm","deadline_ts":1,"required":2}}`)
	f.Add(`{"msgtype":"m.text","body":"komme","m.relates_to":{"m.in_reply_to":{"event_id":"$a"}}}`)
	f.Add(`{"msgtype":"m.text","body":"x","m.relates_to":{"rel_type":"m.reference","event_id":"$a"},"de.bos.alert.response":{"status":"later","eta_minutes":-5}}`)
	f.Add(`{"de.bos.status":{"fms":3,"unit":"HLF 20-1"}}`)
	f.Add(`{"m.relates_to":{"rel_type":"m.reference","event_id":"$a"}}`)
	f.Fuzz(func(t *testing.T, content string) {
		raw := json.RawMessage(content)
		if a, ok := ParseAlert(TypeMessage, raw); ok {
			if !a.Priority.Valid() || a.Required < 0 || len(a.Keyword) > MaxKeyword || len(a.Units) > MaxUnits || !utf8.ValidString(a.Text) {
				t.Fatalf("alert %+v", a)
			}
			_, _ = AlertBody(a, time.Now())
		}
		if target, r, ok := ParseResponse(TypeMessage, raw); ok {
			if target == "" || !r.Status.Valid() || r.ETAMinutes < 0 || r.ETAMinutes > MaxETA || len(r.Comment) > MaxComment {
				t.Fatalf("response %q %+v", target, r)
			}
		}
		if s, ok := ParseStatus(TypeMessage, raw); ok && (s.FMS < 0 || s.FMS > 9 || len(s.Unit) > MaxUnit) {
			t.Fatalf("status %+v", s)
		}
		if target, ok := ParseAck(TypeAck, raw); ok && target == "" {
			t.Fatal("ack without target")
		}
		_ = BuildBoard(Info{EventID: "$a"}, []Related{{Sender: "@a:x", Type: TypeMessage, Content: raw}, {Sender: "@b:x", Type: TypeAck, Content: raw}}, nil)
	})
}

func FuzzBuildRoundTrip(f *testing.F) {
	f.Add("B3 Brand", "Text", "Hauptstr. 1", "HLF 20-1", int64(1700000000000), 3, "coming", 8, "Kommentar", 5)
	f.Fuzz(func(t *testing.T, keyword, text, address, unit string, deadline int64, required int, status string, eta int, comment string, fms int) {
		a := Alert{Keyword: keyword, Text: text, Address: address, Units: []string{unit}, DeadlineTS: deadline, Required: required}
		if c, err := AlertContent(a, time.Now()); err == nil {
			raw, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := ParseAlert(TypeMessage, raw)
			trim := strings.TrimSpace
			if !ok || got.Keyword != trim(keyword) || got.Text != trim(text) || got.Address != trim(address) || got.Required != required ||
				got.DeadlineTS != deadline || len(got.Units) != 1 || got.Units[0] != trim(unit) {
				t.Fatalf("round trip of %+v: %+v %v", a, got, ok)
			}
		}
		r := Response{Status: Status(status), ETAMinutes: eta, Comment: comment}
		if c, err := ResponseContent("$a", r); err == nil {
			raw, _ := json.Marshal(c)
			target, got, ok := ParseResponse(TypeMessage, raw)
			if want := (Response{Status: r.Status, ETAMinutes: r.ETAMinutes, Comment: strings.TrimSpace(comment)}); !ok || target != "$a" || got != want {
				t.Fatalf("round trip of %+v: %+v %v", r, got, ok)
			}
		}
		s := UnitStatus{FMS: fms, Unit: unit}
		if c, err := StatusContent(s); err == nil {
			raw, _ := json.Marshal(c)
			if got, ok := ParseStatus(TypeMessage, raw); !ok || got.FMS != fms || got.Unit != strings.TrimSpace(unit) {
				t.Fatalf("round trip of %+v: %+v %v", s, got, ok)
			}
		}
	})
}
