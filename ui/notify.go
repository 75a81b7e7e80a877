package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// notifyGap is the least time between two notifications for the same room.
const notifyGap = 10 * time.Second

// notifier turns rising unread counts into desktop notifications. They name the room and whether
// the user was mentioned, never the message text: notifications show on lock screens and in
// notification logs, and BOS messages must not leak there. UI goroutine only.
type notifier struct {
	counts     map[id.RoomID]int
	last       map[id.RoomID]time.Time
	known      bool // counts hold a first snapshot
	foreground bool
	send       func(title, body string)
	now        func() time.Time
	// content is what a notification may show (policy notification_content): NotifyNone shows
	// neither room nor sender, only that something arrived; the others name the room.
	content session.NotificationContent
	// locked is set while the app lock hides the window: notifications then show as NotifyNone.
	locked bool
}

func newNotifier() *notifier {
	return &notifier{counts: map[id.RoomID]int{}, last: map[id.RoomID]time.Time{}, foreground: true, now: time.Now,
		send: func(title, body string) {
			if a := fyne.CurrentApp(); a != nil {
				a.SendNotification(fyne.NewNotification(title, body))
			}
		}}
}

// update compares a new room list with the last one; current is the room on screen (no
// notification for it while the window has the focus).
func (n *notifier) update(rooms []session.RoomSummary, current id.RoomID) {
	first := !n.known
	n.known = true
	for _, r := range rooms {
		prev, seen := n.counts[r.ID]
		n.counts[r.ID] = r.NotifyCount
		if first || r.IsSpace {
			continue
		}
		invited := !seen && r.Membership == "invite"
		rose := seen && r.NotifyCount > prev
		if !invited && !rose {
			continue
		}
		if r.ID == current && n.foreground {
			continue
		}
		if t, ok := n.last[r.ID]; ok && n.now().Sub(t) < notifyGap {
			continue
		}
		n.last[r.ID] = n.now()
		// The room name is remote text: without bidi overrides and control characters, which
		// notification daemons and their logs could act on.
		title := T("notify.title", session.CleanName(r.Name))
		switch {
		case n.content == session.NotifyNone || n.locked:
			n.send(T("app.title"), T("notify.none"))
		case invited:
			n.send(title, T("notify.invite"))
		case r.HighlightCount > 0:
			n.send(title, T("notify.mention"))
		case r.IsDirect:
			n.send(title, T("notify.direct"))
		default:
			n.send(title, T("notify.message", r.NotifyCount))
		}
	}
}
