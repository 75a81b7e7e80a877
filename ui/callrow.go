package ui

import (
	"time"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// Call history lines in the timeline: a call is one line at its invite, with a phone sign and
// its outcome ("Anruf, 3:12", "Verpasster Anruf", "Abgelehnter Anruf").

// callSegments is a call's timeline line (the hook of Timeline.segments).
func callSegments(m session.Message) []widget.RichTextSegment {
	st := widget.RichTextStyleInline
	st.TextStyle.Italic = true
	st.ColorName = theme.ColorNamePlaceHolder
	if m.Call != nil && (m.Call.Outcome == session.CallOutcomeMissed || m.Call.Outcome == session.CallOutcomeRejected) {
		st.ColorName = theme.ColorNameError
	}
	text := "📞 " + callLineText(m.Call) + " · " + time.UnixMilli(m.TS).Format("15:04")
	return []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: st}}
}

// callLineText is a call's history line in the UI language.
func callLineText(c *session.CallSummary) string {
	if c == nil {
		return T("call.line_ringing")
	}
	switch c.Outcome {
	case session.CallOutcomeEnded:
		return T("call.line_ended", formatCallDuration(time.Duration(c.DurationMS)*time.Millisecond))
	case session.CallOutcomeMissed:
		return T("call.line_missed")
	case session.CallOutcomeRejected:
		return T("call.line_rejected")
	case session.CallOutcomeOngoing:
		return T("call.line_ongoing")
	}
	return T("call.line_ringing")
}

// formatCallDuration writes m:ss (h:mm:ss from an hour on).
func formatCallDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return T("call.duration_hours", s/3600, s/60%60, s%60)
	}
	return T("call.duration", s/60, s%60)
}
