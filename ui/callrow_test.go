package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// A call in the timeline is one line with a phone sign and its outcome, in both languages.
func TestCallRowText(t *testing.T) {
	defer SetLang(Lang())
	cases := []struct {
		sum    session.CallSummary
		de, en string
	}{
		{session.CallSummary{Outcome: session.CallOutcomeEnded, DurationMS: 192_000}, "Anruf, 3:12", "Call, 3:12"},
		{session.CallSummary{Outcome: session.CallOutcomeEnded, DurationMS: 3_725_400}, "Anruf, 1:02:05", "Call, 1:02:05"},
		{session.CallSummary{Outcome: session.CallOutcomeMissed}, "Verpasster Anruf", "Missed call"},
		{session.CallSummary{Outcome: session.CallOutcomeRejected}, "Abgelehnter Anruf", "Declined call"},
	}
	for _, c := range cases {
		SetLang("de")
		tl := NewTimeline("@me:x")
		segs := tl.segments(session.Message{Kind: session.KindCall, Call: &c.sum, Body: "ignored"})
		if len(segs) != 1 {
			t.Fatalf("%d segments", len(segs))
		}
		text := segs[0].(*widget.TextSegment).Text
		if !strings.HasPrefix(text, "📞 "+c.de+" · ") {
			t.Errorf("de line %q, want %q", text, c.de)
		}
		SetLang("en")
		if got := callLineText(&c.sum); got != c.en {
			t.Errorf("en line %q, want %q", got, c.en)
		}
	}
}
