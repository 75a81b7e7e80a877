package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// notifyGap is the least time between two notifications for the same room.
const notifyGap = 10 * time.Second

// notifier turns rising unread counts into desktop notifications. What they show follows the
// policy notification_content, because notifications show on lock screens and in notification
// logs: none says only that something arrived; sender names the room and the sender; full adds
// the message text. While the app lock hides the window they never show more than sender (the
// lock is there to hide the content). UI goroutine only.
type notifier struct {
	counts     map[id.RoomID]int
	last       map[id.RoomID]time.Time
	known      bool // counts hold a first snapshot
	foreground bool
	send       func(title, body string)
	now        func() time.Time
	// content is what a notification may show (policy notification_content).
	content session.NotificationContent
	// locked is set while the app lock hides the window: notifications then show at most sender.
	locked bool
	// preview, when set, reads the room's newest message from someone else (session
	// NotificationPreview); it is not called for none. async, when set, runs it off the UI
	// goroutine, and the notification is sent from the UI goroutine afterwards (do).
	preview func(id.RoomID) (session.NotificationPreview, bool)
	async   func(func())
}

func newNotifier() *notifier {
	return &notifier{counts: map[id.RoomID]int{}, last: map[id.RoomID]time.Time{}, foreground: true, now: time.Now,
		send: func(title, body string) {
			if a := fyne.CurrentApp(); a != nil {
				a.SendNotification(fyne.NewNotification(title, body))
			}
		}}
}

// effective is what a notification may show now: the policy's setting, at most sender while
// the app is locked.
func (n *notifier) effective() session.NotificationContent {
	switch {
	case n.content == session.NotifyNone:
		return session.NotifyNone
	case n.locked || n.content == session.NotifySender:
		return session.NotifySender
	}
	return session.NotifyFull
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
		switch {
		case n.effective() == session.NotifyNone:
			n.send(T("app.title"), T("notify.none"))
		case invited || n.preview == nil:
			n.send(n.compose(r, invited, session.NotificationPreview{}, false))
		default:
			n.withPreview(r, func(p session.NotificationPreview, ok bool) { n.send(n.compose(r, false, p, ok)) })
		}
	}
}

// withPreview reads the room's newest message from someone else and hands it to f on the UI
// goroutine.
func (n *notifier) withPreview(r session.RoomSummary, f func(session.NotificationPreview, bool)) {
	if n.async == nil {
		p, ok := n.preview(r.ID)
		f(p, ok)
		return
	}
	n.async(func() {
		p, ok := n.preview(r.ID)
		do(func() { f(p, ok) })
	})
}

// compose is a notification's title and text for sender and full (decided again when it is
// sent: the app may have locked meanwhile). Without a preview it names the room and the kind of
// activity only.
func (n *notifier) compose(r session.RoomSummary, invited bool, p session.NotificationPreview, ok bool) (string, string) {
	c := n.effective()
	if c == session.NotifyNone {
		return T("app.title"), T("notify.none")
	}
	// Room and sender names are remote text: without bidi overrides and control characters,
	// which notification daemons and their logs could act on (the preview is cleaned already).
	title := T("notify.title", session.CleanName(r.Name))
	switch {
	case invited:
		return title, T("notify.invite")
	case ok && c == session.NotifyFull && p.Body != "":
		return title, p.SenderName + ": " + p.Body
	case ok && r.HighlightCount > 0:
		return title, T("notify.mention_from", p.SenderName)
	case ok:
		return title, T("notify.from", p.SenderName)
	case r.HighlightCount > 0:
		return title, T("notify.mention")
	case r.IsDirect:
		return title, T("notify.direct")
	}
	return title, T("notify.message", r.NotifyCount)
}
