package poll

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"maunium.net/go/mautrix/id"
)

// FuzzParse feeds arbitrary contents to the parsers and the fold: no panic, and what is read
// keeps the limits.
func FuzzParse(f *testing.F) {
	f.Add(elementStart, `{"m.relates_to":{"rel_type":"m.reference","event_id":"$poll"},"org.matrix.msc3381.poll.response":{"answers":["aaaaaaaaaaaaaaaa"]}}`)
	f.Add(`{"m.poll.start":{"question":{"m.text":"Q"},"max_selections":1e308,"answers":[{"id":"x"}]}}`, `{"m.relates_to":{"rel_type":"m.reference","event_id":"$poll"},"org.matrix.msc3381.poll.end":{}}`)
	f.Fuzz(func(t *testing.T, start, rel string) {
		p, ok := ParseStart(TypeStart, json.RawMessage(start))
		if !ok {
			p = info(KindDisclosed, 1).Poll
		}
		if len(p.Answers) == 0 || len(p.Answers) > MaxAnswers || p.MaxSelections < 1 || p.MaxSelections > MaxAnswers ||
			!utf8.ValidString(p.Question) || utf8.RuneCountInString(p.Question) > MaxQuestion {
			t.Fatalf("limits: %+v", p)
		}
		in := Info{Poll: p, EventID: "$poll", Sender: "@a:hs"}
		var related []Related
		for i, typ := range []string{TypeResponse, TypeEnd, StableResponse} {
			related = append(related, Related{Sender: id.UserID("@u" + string(rune('0'+i)) + ":hs"), Type: typ, Content: json.RawMessage(rel), TS: int64(i)})
		}
		r := Tally(in, related, "@u0:hs", nil)
		if r.Voters > 3 || r.Total > r.Voters*p.MaxSelections || len(r.MyAnswers) > p.MaxSelections {
			t.Fatalf("fold: %+v", r)
		}
		_ = EndText(r, "de")
	})
}
