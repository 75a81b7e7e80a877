package poll

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"maunium.net/go/mautrix/id"
)

// elementStart is a poll start as Element Web sends it (matrix-js-sdk PollStartEvent.serialize).
const elementStart = `{
 "org.matrix.msc3381.poll.start": {
  "question": {"org.matrix.msc1767.text": "Wer ist heute Abend verfügbar?", "body": "Wer ist heute Abend verfügbar?", "msgtype": "m.text"},
  "kind": "org.matrix.msc3381.poll.disclosed",
  "max_selections": 1,
  "answers": [{"id": "aaaaaaaaaaaaaaaa", "org.matrix.msc1767.text": "Ja"}, {"id": "bbbbbbbbbbbbbbbb", "org.matrix.msc1767.text": "Nein"}]
 },
 "org.matrix.msc1767.text": "Wer ist heute Abend verfügbar?\n1. Ja\n2. Nein"
}`

func TestBuildStartAsElement(t *testing.T) {
	c, err := BuildStart(Poll{Question: " Verfügbar? ", Answers: []Answer{{ID: "a", Text: "Ja"}, {ID: "b", Text: "Nein"}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(c)
	var got, want map[string]any
	_ = json.Unmarshal(raw, &got)
	_ = json.Unmarshal([]byte(`{"org.matrix.msc3381.poll.start": {"question": {"org.matrix.msc1767.text": "Verfügbar?", "body": "Verfügbar?", "msgtype": "m.text"},
		"kind": "org.matrix.msc3381.poll.disclosed", "max_selections": 1,
		"answers": [{"id": "a", "org.matrix.msc1767.text": "Ja"}, {"id": "b", "org.matrix.msc1767.text": "Nein"}]},
		"org.matrix.msc1767.text": "Verfügbar?\n1. Ja\n2. Nein"}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("start content %s", raw)
	}
	p, ok := ParseStart(TypeStart, raw)
	if !ok || p.Question != "Verfügbar?" || len(p.Answers) != 2 || p.Answers[1] != (Answer{"b", "Nein"}) || !p.Disclosed() {
		t.Fatalf("parsed back: %+v %v", p, ok)
	}
	c, err = BuildStart(Poll{Question: "Q", Kind: KindUndisclosed, MaxSelections: 2, Answers: []Answer{{Text: "A"}, {Text: "B"}, {Text: "C"}}})
	if err != nil || len(c.Start.Answers[0].ID) != 16 || c.Start.Answers[0].ID == c.Start.Answers[1].ID || c.Start.MaxSelections != 2 {
		t.Fatalf("generated: %+v %v", c, err)
	}
	resp, _ := json.Marshal(BuildResponse("$p", []string{"a"}))
	if string(resp) != `{"m.relates_to":{"rel_type":"m.reference","event_id":"$p"},"org.matrix.msc3381.poll.response":{"answers":["a"]}}` {
		t.Fatalf("response %s", resp)
	}
	end, _ := json.Marshal(BuildEnd("$p", "Ende"))
	if string(end) != `{"m.relates_to":{"rel_type":"m.reference","event_id":"$p"},"org.matrix.msc3381.poll.end":{},"org.matrix.msc1767.text":"Ende","body":"Ende","msgtype":"m.text"}` {
		t.Fatalf("end %s", end)
	}
}

func TestNormalizeRefuses(t *testing.T) {
	two := []Answer{{Text: "A"}, {Text: "B"}}
	for name, p := range map[string]Poll{
		"no question":   {Answers: two},
		"one answer":    {Question: "Q", Answers: two[:1]},
		"empty answer":  {Question: "Q", Answers: []Answer{{Text: "A"}, {Text: " "}}},
		"twice":         {Question: "Q", Answers: []Answer{{Text: "Ja"}, {Text: "ja"}}},
		"bad kind":      {Question: "Q", Kind: "secret", Answers: two},
		"max too large": {Question: "Q", MaxSelections: 3, Answers: two},
		"long question": {Question: strings.Repeat("x", MaxQuestion+1), Answers: two},
		"21 answers":    {Question: "Q", Answers: make([]Answer, 21)},
	} {
		if _, err := BuildStart(p); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseStartLenient(t *testing.T) {
	p, ok := ParseStart(TypeStart, json.RawMessage(elementStart))
	if !ok || p.Question != "Wer ist heute Abend verfügbar?" || p.Answers[0].ID != "aaaaaaaaaaaaaaaa" || p.MaxSelections != 1 {
		t.Fatalf("%+v", p)
	}
	// Stable names, an unknown kind (undisclosed), max_selections 0 (1), the message rendering.
	p, ok = ParseStart(StableStart, json.RawMessage(`{"m.poll.start": {"question": {"org.matrix.msc1767.message": [{"mimetype": "text/html", "body": "<b>Q</b>"}, {"body": "Q"}]},
		"kind": "x", "max_selections": 0, "answers": [{"id": "1", "m.text": "Eins"}, {"id": "1", "m.text": "dup"}, {"id": "2", "body": "Zwei"}]}}`))
	if !ok || p.Question != "Q" || p.Disclosed() || p.MaxSelections != 1 || len(p.Answers) != 2 || p.Answers[1].Text != "Zwei" {
		t.Fatalf("%+v %v", p, ok)
	}
	for _, bad := range []string{`{}`, `{"org.matrix.msc3381.poll.start": {"answers": [{"id": "a"}]}}`,
		`{"org.matrix.msc3381.poll.start": {"question": {"body": "Q"}, "answers": []}}`,
		`{"org.matrix.msc3381.poll.start": {"question": {"body": "Q"}, "answers": [{"id": 5}]}}`, `[`} {
		if _, ok := ParseStart(TypeStart, json.RawMessage(bad)); ok {
			t.Errorf("parsed %s", bad)
		}
	}
	if _, ok := ParseStart("m.room.message", json.RawMessage(elementStart)); ok {
		t.Error("parsed an m.room.message")
	}
}

func vote(sender, ts int, answers ...string) Related {
	c, _ := json.Marshal(BuildResponse("$poll", answers))
	return Related{EventID: id.EventID("$v" + string(rune('a'+ts))), Sender: user(sender), Type: TypeResponse, Content: c, TS: int64(ts)}
}

func end(sender, ts int) Related {
	c, _ := json.Marshal(BuildEnd("$poll", "Ende"))
	return Related{Sender: user(sender), Type: TypeEnd, Content: c, TS: int64(ts)}
}

func user(n int) id.UserID { return id.UserID("@u" + string(rune('0'+n)) + ":hs") }

func info(kind string, maxSel int) Info {
	return Info{Poll: Poll{Question: "Verfügbar?", Kind: kind, MaxSelections: maxSel,
		Answers: []Answer{{"ja", "Ja"}, {"nein", "Nein"}, {"spaet", "Später"}}}, EventID: "$poll", Sender: user(0)}
}

func votes(r Results) []int {
	out := make([]int, len(r.Answers))
	for i, a := range r.Answers {
		out[i] = a.Votes
	}
	return out
}

func TestTally(t *testing.T) {
	p := info(KindDisclosed, 1)
	// Latest per user wins (in any order), a changed vote moves, max_selections truncates.
	r := Tally(p, []Related{vote(2, 5, "nein"), vote(1, 1, "ja"), vote(2, 3, "ja"), vote(3, 4, "spaet", "ja")}, user(1), nil)
	if !reflect.DeepEqual(votes(r), []int{1, 1, 1}) || r.Voters != 3 || r.Total != 3 || r.Ended || !reflect.DeepEqual(r.MyAnswers, []string{"ja"}) {
		t.Fatalf("%+v", r)
	}
	if r.CanEnd {
		t.Fatal("u1 may end u0's poll")
	}
	// A spoiled vote (unknown answer, or none) replaces the earlier one and counts for nothing.
	r = Tally(p, []Related{vote(1, 1, "ja"), vote(1, 2, "ja", "vielleicht"), vote(2, 1, "nein"), vote(2, 2)}, user(1), nil)
	if r.Voters != 0 || r.Total != 0 || len(r.MyAnswers) != 0 {
		t.Fatalf("spoiled: %+v", r)
	}
	// The end by someone else is ignored; the creator's end counts; later votes are ignored.
	r = Tally(p, []Related{vote(1, 1, "ja"), end(5, 2), vote(2, 3, "nein"), end(0, 4), vote(1, 5, "nein"), vote(3, 4, "spaet")}, user(0), nil)
	if !r.Ended || r.EndedBy != user(0) || r.EndTS != 4 || !reflect.DeepEqual(votes(r), []int{1, 1, 1}) || r.CanEnd || r.EndText != "Ende" {
		t.Fatalf("ended: %+v", r)
	}
	// Redaction power may end it.
	r = Tally(p, []Related{end(5, 2), vote(1, 3, "ja")}, user(5), func(u id.UserID) bool { return u == user(5) })
	if !r.Ended || r.Total != 0 {
		t.Fatalf("moderator end: %+v", r)
	}
	// Multiple selections.
	r = Tally(info(KindDisclosed, 2), []Related{vote(1, 1, "ja", "spaet", "nein"), vote(2, 1, "ja", "ja")}, user(0), nil)
	if !reflect.DeepEqual(votes(r), []int{2, 0, 1}) || r.Voters != 2 || r.Total != 3 || !r.CanEnd {
		t.Fatalf("multi: %+v", r)
	}
	if w := r.Winners(); len(w) != 1 || w[0].ID != "ja" {
		t.Fatalf("winners %+v", w)
	}
	// Undisclosed: hidden (but our own vote) until the end.
	u := info(KindUndisclosed, 1)
	rel := []Related{vote(1, 1, "ja"), vote(2, 1, "nein"), vote(3, 2, "ja")}
	r = Tally(u, rel, user(1), nil)
	if !r.ResultsHidden || r.Total != 0 || r.Voters != 0 || !reflect.DeepEqual(votes(r), []int{0, 0, 0}) || r.Answers[0].Users != nil ||
		!reflect.DeepEqual(r.MyAnswers, []string{"ja"}) {
		t.Fatalf("undisclosed: %+v", r)
	}
	r = Tally(u, append(rel, end(0, 3)), user(1), nil)
	if r.ResultsHidden || !reflect.DeepEqual(votes(r), []int{2, 1, 0}) || !reflect.DeepEqual(r.Answers[0].Users, []id.UserID{user(1), user(3)}) {
		t.Fatalf("undisclosed ended: %+v", r)
	}
	if got := EndText(r, "de"); got != "Die Umfrage ist beendet. Ergebnis: Ja 2, Nein 1, Später 0 (3 Stimmen)." {
		t.Fatal(got)
	}
	if got := EndText(Tally(p, nil, user(0), nil), "en"); got != "The poll has ended. No votes were cast." {
		t.Fatal(got)
	}
}

func TestResolve(t *testing.T) {
	p := info(KindDisclosed, 2).Poll
	got, err := Resolve(p, []string{"später", "ja", "1"})
	if err != nil || !reflect.DeepEqual(got, []string{"spaet", "ja"}) {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range [][]string{nil, {"vielleicht"}, {"ja", "nein", "spaet"}, {"4"}, {"01"}} {
		if _, err := Resolve(p, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
