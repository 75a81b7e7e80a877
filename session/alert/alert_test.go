package alert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAlertContentRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 3, 18, 30, 0, 0, Berlin)
	deadline := time.Date(2026, 12, 3, 19, 42, 0, 0, Berlin)
	a := Alert{Keyword: "B3 Brand Gebäude", Text: "Rauch aus Dachgeschoss <b>", Address: "Hauptstr. 1",
		Units: []string{"HLF 20-1", "DLK 23"}, DeadlineTS: deadline.UnixMilli(), Required: 9}
	c, err := AlertContent(a, now)
	if err != nil {
		t.Fatal(err)
	}
	raw := mustJSON(t, c)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	body, _ := m["body"].(string)
	if first := strings.Split(body, "\n")[0]; first != "ALARM B3 Brand Gebäude – Hauptstr. 1 – Rückmeldung bis 19:42" {
		t.Fatalf("headline %q", first)
	}
	if m["msgtype"] != "m.text" || m["format"] != "org.matrix.custom.html" || !strings.Contains(m["formatted_body"].(string), "&lt;b&gt;") {
		t.Fatalf("content %s", raw)
	}
	if mm, _ := m["m.mentions"].(map[string]any); mm["room"] != true {
		t.Fatalf("alarm does not mention the room: %s", raw)
	}
	got, ok := ParseAlert(TypeMessage, raw)
	if !ok || got.Keyword != a.Keyword || got.Priority != PriorityAlarm || got.ID == "" || len(got.Units) != 2 ||
		got.DeadlineTS != a.DeadlineTS || got.Required != 9 || got.Address != a.Address {
		t.Fatalf("parsed %+v from %s", got, raw)
	}
	// Every key of the contract is on the wire.
	obj := m["de.bos.alert"].(map[string]any)
	for _, k := range []string{"id", "keyword", "text", "address", "units", "priority", "deadline_ts", "required"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("missing key %s in %s", k, raw)
		}
	}
	// Info alert, deadline on another day, no units: units is [] not null.
	c, _ = AlertContent(Alert{Keyword: "Übung", Priority: PriorityInfo, DeadlineTS: deadline.Add(24 * time.Hour).UnixMilli()}, now)
	raw = mustJSON(t, c)
	if !strings.Contains(string(raw), `"units":[]`) || !strings.Contains(string(raw), `"body":"INFO Übung – Rückmeldung bis 04.12. 19:42"`) ||
		strings.Contains(string(raw), `"room":true`) {
		t.Fatalf("info alert: %s", raw)
	}
}

func TestAlertValidation(t *testing.T) {
	for _, a := range []Alert{{}, {Keyword: " "}, {Keyword: "x", Priority: "urgent"}, {Keyword: "x", Required: -1},
		{Keyword: "x", Units: []string{""}}, {Keyword: strings.Repeat("x", MaxKeyword+1)}, {Keyword: "x", Text: "\xff"}} {
		if _, err := AlertContent(a, time.Now()); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", a, err)
		}
	}
	for _, r := range []Response{{}, {Status: "yes"}, {Status: StatusComing, ETAMinutes: -1}, {Status: StatusLater, ETAMinutes: MaxETA + 1}} {
		if _, err := ResponseContent("$a", r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", r, err)
		}
	}
	for _, s := range []UnitStatus{{FMS: -1}, {FMS: 10}} {
		if _, err := StatusContent(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

func TestResponseContent(t *testing.T) {
	c, err := ResponseContent("$alert", Response{Status: StatusComing, ETAMinutes: 8})
	if err != nil {
		t.Fatal(err)
	}
	raw := mustJSON(t, c)
	want := `{"msgtype":"m.text","body":"Komme – ca. 8 Min.","m.relates_to":{"rel_type":"m.reference","event_id":"$alert"},"de.bos.alert.response":{"status":"coming","eta_minutes":8}}`
	if string(raw) != want {
		t.Fatalf("got  %s\nwant %s", raw, want)
	}
	target, r, ok := ParseResponse(TypeMessage, raw)
	if !ok || target != "$alert" || r.Status != StatusComing || r.ETAMinutes != 8 {
		t.Fatal(target, r, ok)
	}
	if b := ResponseBody(Response{Status: StatusNotComing, ETAMinutes: 5, Comment: "Urlaub"}); b != "Komme nicht – Urlaub" {
		t.Fatal(b)
	}
	if b := ResponseBody(Response{Status: StatusLater, ETAMinutes: 30}); b != "Später – ca. 30 Min." {
		t.Fatal(b)
	}
}

func TestPlainReplies(t *testing.T) {
	reply := func(body string) json.RawMessage {
		return mustJSON(t, map[string]any{"msgtype": "m.text", "body": body,
			"m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": "$alert"}}})
	}
	for body, want := range map[string]Status{
		"komme": StatusComing, "KOMME": StatusComing, " Komme nicht\n": StatusNotComing, "SPÄTER": StatusLater,
		"spa\u0308ter": StatusLater, "> <@a:x> ALARM B3\n> more\n\nkomme": StatusComing,
		"komme gleich": "", "ich komme": "", "": "", "komme!": "",
	} {
		target, r, ok := ParseResponse(TypeMessage, reply(body))
		if want == "" {
			if ok {
				t.Errorf("%q counted as %v", body, r)
			}
			continue
		}
		if !ok || r.Status != want || target != "$alert" {
			t.Errorf("%q: %v %v %v, want %v", body, target, r, ok, want)
		}
	}
	// m.reference and threads count too; a message without relation, or an m.notice, does not.
	for _, c := range []map[string]any{
		{"msgtype": "m.text", "body": "komme", "m.relates_to": map[string]any{"rel_type": "m.reference", "event_id": "$alert"}},
		{"msgtype": "m.text", "body": "später", "m.relates_to": map[string]any{"rel_type": "m.thread", "event_id": "$alert",
			"is_falling_back": true, "m.in_reply_to": map[string]any{"event_id": "$other"}}},
	} {
		if target, _, ok := ParseResponse(TypeMessage, mustJSON(t, c)); !ok || target != "$alert" {
			t.Errorf("%v: %v %v", c, target, ok)
		}
	}
	for _, c := range []map[string]any{{"msgtype": "m.text", "body": "komme"},
		{"msgtype": "m.notice", "body": "komme", "m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": "$alert"}}}} {
		if _, _, ok := ParseResponse(TypeMessage, mustJSON(t, c)); ok {
			t.Errorf("%v counted", c)
		}
	}
}

func TestAckAndStatus(t *testing.T) {
	raw := mustJSON(t, AckContent("$alert"))
	if string(raw) != `{"m.relates_to":{"rel_type":"m.reference","event_id":"$alert"}}` {
		t.Fatal(string(raw))
	}
	if target, ok := ParseAck(TypeAck, raw); !ok || target != "$alert" {
		t.Fatal(target, ok)
	}
	if _, ok := ParseAck(TypeMessage, raw); ok {
		t.Fatal("ack of the wrong type")
	}
	c, err := StatusContent(UnitStatus{FMS: 3, Unit: "HLF 20-1"})
	if err != nil {
		t.Fatal(err)
	}
	raw = mustJSON(t, c)
	if string(raw) != `{"msgtype":"m.text","body":"Status 3 – Einsatz übernommen (HLF 20-1)","de.bos.status":{"fms":3,"unit":"HLF 20-1"}}` {
		t.Fatal(string(raw))
	}
	if s, ok := ParseStatus(TypeMessage, raw); !ok || s.FMS != 3 || s.Unit != "HLF 20-1" {
		t.Fatal(s, ok)
	}
	for _, bad := range []string{`{"de.bos.status":{"unit":"x"}}`, `{"de.bos.status":{"fms":10}}`, `{"de.bos.status":{"fms":"3"}}`, `{"de.bos.status":3}`} {
		if s, ok := ParseStatus(TypeMessage, json.RawMessage(bad)); ok {
			t.Errorf("%s parsed as %+v", bad, s)
		}
	}
	for i := range 10 {
		if FMSMeaning(i) == "" {
			t.Errorf("FMS %d has no meaning", i)
		}
	}
	if FMSMeaning(0) != "Priorisierter Sprechwunsch" || FMSMeaning(10) != "" {
		t.Fatal("FMS table")
	}
}

func TestBoard(t *testing.T) {
	info := Info{Alert: Alert{Keyword: "B3", Required: 3}, EventID: "$alert", Sender: "@leitstelle:x"}
	resp := func(ev, user string, ts int64, st Status, eta int) Related {
		c, _ := ResponseContent("$alert", Response{Status: st, ETAMinutes: eta})
		b, _ := json.Marshal(c)
		return Related{EventID: id.EventID(ev), Sender: id.UserID(user), Type: TypeMessage, Content: b, TS: ts}
	}
	ack := func(user string, ts int64) Related {
		b, _ := json.Marshal(AckContent("$alert"))
		return Related{EventID: id.EventID("$ack" + user), Sender: id.UserID(user), Type: TypeAck, Content: b, TS: ts}
	}
	plain := Related{EventID: "$p", Sender: "@d:x", Type: TypeMessage, TS: 5,
		Content: json.RawMessage(`{"msgtype":"m.text","body":"Komme","m.relates_to":{"m.in_reply_to":{"event_id":"$alert"}}}`)}
	other, _ := json.Marshal(AckContent("$other"))
	related := []Related{
		resp("$b2", "@b:x", 20, StatusNotComing, 0), // latest of b wins although listed first
		resp("$b1", "@b:x", 10, StatusComing, 8),
		ack("@b:x", 2), ack("@c:x", 3), ack("@e:x", 4), plain, resp("$e", "@e:x", 6, StatusLater, 30),
		{EventID: "$x", Sender: "@f:x", Type: TypeAck, Content: other, TS: 1}, // another alert's ack
	}
	joined := []id.UserID{"@leitstelle:x", "@b:x", "@c:x", "@d:x", "@e:x", "@f:x", "@g:x"}
	b := BuildBoard(info, related, joined)
	want := Counts{Coming: 1, NotComing: 1, Later: 1, Received: 1, None: 2}
	if b.Counts != want || b.Required != 3 || len(b.Responses) != 3 {
		t.Fatalf("board %+v", b)
	}
	if b.Responses[0].UserID != "@d:x" || b.Responses[2].UserID != "@b:x" || b.Responses[2].Status != StatusNotComing ||
		b.Responses[1].ETAMinutes != 30 {
		t.Fatalf("responses %+v", b.Responses)
	}
	if len(b.None) != 2 || b.None[0] != "@f:x" || b.None[1] != "@g:x" || b.Received[0] != "@c:x" {
		t.Fatalf("received %v none %v", b.Received, b.None)
	}
	raw, _ := json.Marshal(b)
	for _, k := range []string{`"alert":{`, `"responses":[`, `"counts":{"coming":1,"not_coming":1,"later":1,"received":1,"none":2}`, `"required":3`, `"user_id":"@d:x","status":"coming","eta_minutes":0,"comment":"","ts":5`} {
		if !strings.Contains(string(raw), k) {
			t.Errorf("board JSON lacks %s: %s", k, raw)
		}
	}
}

// TestStripReplyFallbackLikeTimeline: an alert response is read without its reply fallback the
// same way the timeline shows it (mautrix's trimming): a fallback goes, text quoted by hand stays.
func TestStripReplyFallbackLikeTimeline(t *testing.T) {
	for body, want := range map[string]string{
		"> <@a:x> ALARM B3\n> more\n\nkomme": "komme",
		"> * <@a:x> edited\n\nspäter":        "später",
		"> quoted by hand\n\nkomme":          "> quoted by hand\n\nkomme",
		"komme":                              "komme",
	} {
		if got := StripReplyFallback(body); got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
		if got := event.TrimReplyFallbackText(body); got != StripReplyFallback(body) {
			t.Errorf("%q: timeline shows %q, alert reads %q", body, got, StripReplyFallback(body))
		}
	}
	// A hand-quoted line is no fallback: the response is not counted as "komme".
	raw := mustJSON(t, map[string]any{"msgtype": "m.text", "body": "> ALARM\n\nkomme",
		"m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": "$alert"}}})
	if _, r, ok := ParseResponse(TypeMessage, raw); ok {
		t.Errorf("hand-quoted text counted as %v", r)
	}
}
