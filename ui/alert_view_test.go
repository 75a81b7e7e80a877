package ui

import (
	"strings"
	"testing"
	"time"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

func TestCountdownFormat(t *testing.T) {
	for _, c := range []struct {
		left time.Duration
		want string
	}{
		{10 * time.Minute, "10:00"},
		{9*time.Minute + 41*time.Second + 200*time.Millisecond, "09:42"}, // rounded up: 00:00 only when passed
		{time.Millisecond, "00:01"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
		{0, T("alert.expired")},
		{-time.Minute, T("alert.expired")},
	} {
		if got := countdown(c.left); got != c.want {
			t.Errorf("countdown(%v) = %q, want %q", c.left, got, c.want)
		}
	}
}

// The alert notification shows what notification_content allows: nothing but "Neue
// Alarmierung" with none (and while the app lock is on), the room by default, keyword and
// address only with full; remote text without bidi overrides.
func TestAlertNotificationContent(t *testing.T) {
	info := alert.Info{Alert: alert.Alert{Keyword: "B3 Brand\u202e", Address: "Hauptstr. 1", Priority: alert.PriorityAlarm}}
	for _, c := range []struct {
		content session.NotificationContent
		locked  bool
		want    string
	}{
		{session.NotifyNone, false, "critical|" + T("alert.notify_title_alarm") + "|" + T("alert.notify_none")},
		{session.NotifySender, false, "critical|" + T("alert.notify_title_alarm") + "|" + T("alert.notify_room", "Zug 1")},
		{session.NotifyFull, false, "critical|" + T("alert.notify_title_alarm") + ": B3 Brand|Zug 1 – Hauptstr. 1"},
		{session.NotifyFull, true, "critical|" + T("alert.notify_title_alarm") + "|" + T("alert.notify_none")},
	} {
		notes := &fakeNotes{}
		n := newNotifier()
		n.content, n.locked = c.content, c.locked
		ac := &alertCenter{a: &App{notes: n}, out: AlertOutputs{Notify: notes.notify}}
		ac.notify(info, "Zug 1\u202e", true)
		if got := notes.all(); len(got) != 1 || got[0] != c.want {
			t.Errorf("%s locked=%v: %q, want %q", c.content, c.locked, got, c.want)
		}
		if strings.ContainsRune(strings.Join(notes.all(), ""), '\u202e') {
			t.Errorf("bidi override in the notification")
		}
	}
}
