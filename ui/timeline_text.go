package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func fileKey(kind string) string {
	switch kind {
	case "image":
		return tkey("timeline.file_image")
	case "video":
		return tkey("timeline.file_video")
	case "audio":
		return tkey("timeline.file_audio")
	}
	return tkey("timeline.file_file")
}

// tkeyReason maps a decryption reason code to its message key.
func tkeyReason(code string) string {
	switch code {
	case session.ReasonMissingSession:
		return tkey("reason.missing_session")
	case session.ReasonWithheld:
		return tkey("reason.withheld")
	case session.ReasonUnverifiedDevice:
		return tkey("reason.unverified_device")
	case session.ReasonUnknownDevice:
		return tkey("reason.unknown_device")
	case session.ReasonTampered:
		return tkey("reason.tampered")
	case session.ReasonUnknownAlgorithm:
		return tkey("reason.unknown_algorithm")
	}
	return tkey("reason.other")
}

func stateText(m session.Message) string {
	switch m.StateKind {
	case "joined":
		return T("state.joined", m.StateArg)
	case "left":
		return T("state.left", m.StateArg)
	case "invited":
		return T("state.invited", m.SenderName, m.StateArg)
	case "kicked":
		return T("state.kicked", m.SenderName, m.StateArg)
	case "banned":
		return T("state.banned", m.SenderName, m.StateArg)
	case "name":
		return T("state.name", m.SenderName, m.StateArg)
	case "topic":
		return T("state.topic", m.SenderName, m.StateArg)
	case "encryption":
		return T("state.encryption", m.SenderName)
	case "create":
		return T("state.create", m.SenderName)
	}
	return T("state.other", m.SenderName)
}

// shieldText is the per-message encryption marker: 🔒 for encrypted from a verified device, 🔒⚠
// for encrypted from an unverified one, nothing for plain messages outside encrypted rooms.
func shieldText(m session.Message) string {
	switch {
	case m.Kind == "state" || m.Kind == "redacted" || m.Kind == session.KindVerification:
		return ""
	case m.TxnID != "" && m.EventID == "":
		return "" // local echo: not sent yet
	case !m.Encrypted:
		return ""
	case m.Kind == "undecryptable":
		return "🔒✗"
	case m.SenderVerified:
		return "🔒✓"
	}
	return "🔒 " + T("timeline.unverified")
}

func shieldImportance(m session.Message) widget.Importance {
	if m.Encrypted && m.Kind != "undecryptable" && !m.SenderVerified {
		return widget.WarningImportance
	}
	if m.Kind == "undecryptable" {
		return widget.DangerImportance
	}
	return widget.SuccessImportance
}

// statusText is the row's last line: send state of our messages, or who read up to here.
func statusText(m session.Message, me id.UserID, names func(string) string) string {
	switch m.SendState {
	case "queued":
		return T("timeline.sending")
	case "failed":
		return T("timeline.failed", m.SendError)
	}
	if len(m.ReadBy) == 0 {
		return ""
	}
	var who []string
	for _, u := range m.ReadBy {
		n := string(u)
		if names != nil {
			n = names(string(u))
		}
		who = append(who, n)
	}
	if len(who) > 3 {
		return T("timeline.read_by_many", strings.Join(who[:3], ", "), len(who)-3)
	}
	return T("timeline.read_by", strings.Join(who, ", "))
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// dayLabel is "Heute", "Gestern" or the date with weekday.
func dayLabel(d, now time.Time) string {
	switch {
	case sameDay(d, now):
		return T("day.today")
	case sameDay(d, now.AddDate(0, 0, -1)):
		return T("day.yesterday")
	}
	return T(tkeyWeekday(d.Weekday())) + ", " + d.Format("02.01.2006")
}

func tkeyWeekday(w time.Weekday) string {
	return [...]string{tkey("day.sun"), tkey("day.mon"), tkey("day.tue"), tkey("day.wed"), tkey("day.thu"), tkey("day.fri"), tkey("day.sat")}[w]
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// setLabel changes a label only when its text or importance differ: every change re-shapes the text,
// and list rows are rebound on every scroll step.
func setLabel(l *widget.Label, text string, imp widget.Importance) {
	if l.Text == text && l.Importance == imp {
		return
	}
	l.Importance = imp
	l.SetText(text)
}
