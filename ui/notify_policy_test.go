package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// notification_content none: the notification names neither the room nor anything of the
// message, for invites, mentions, direct and other messages alike.
func TestNotifierContentNone(t *testing.T) {
	SetLang("de")
	var got []string
	now := time.Unix(1000, 0)
	n := newNotifier()
	n.content = session.NotifyNone
	n.now = func() time.Time { return now }
	n.send = func(title, body string) { got = append(got, title+" | "+body) }
	n.preview = func(id.RoomID) (session.NotificationPreview, bool) {
		t.Error("none read the message for the notification")
		return session.NotificationPreview{SenderName: "Anna Schmidt", Body: "Brand"}, true
	}
	rooms := func(unread int) []session.RoomSummary {
		return []session.RoomSummary{
			{ID: idRoom("a"), Name: "Einsatz Brand Hauptstraße", NotifyCount: unread, Membership: "join"},
			{ID: idRoom("b"), Name: "Anna Schmidt", NotifyCount: unread, IsDirect: true, Membership: "join"},
			{ID: idRoom("c"), Name: "Lage Nord", NotifyCount: unread, HighlightCount: unread, Membership: "join"},
		}
	}
	n.update(rooms(0), "")
	n.update(append(rooms(2), session.RoomSummary{ID: idRoom("d"), Name: "Zug 2 geheim", Membership: "invite"}), "")
	if len(got) != 4 {
		t.Fatalf("got %q", got)
	}
	for _, g := range got {
		if g != "BOS Messenger | Neue Aktivität" {
			t.Errorf("notification %q shows more than that something arrived", g)
		}
		for _, leak := range []string{"Einsatz", "Anna", "Lage", "Zug", "erwähnt", "Direkt", "Einladung", "2"} {
			if strings.Contains(g, leak) {
				t.Errorf("notification %q contains %q", g, leak)
			}
		}
	}
}

// notification_content sender names room and sender and nothing of the text; full adds the text;
// a mention says so with the sender; invites name the room; without a stored message of someone
// else the room and the kind of activity are shown. The preview is read off the UI goroutine
// (async) and the notification sent from it.
func TestNotifierContentSenderAndFull(t *testing.T) {
	SetLang("de")
	q := useTestUIQueue(t)
	for _, tc := range []struct {
		content session.NotificationContent
		want    []string
	}{
		{session.NotifySender, []string{
			"BOS Messenger – Einsatz Brand | Neue Nachricht von Anna Schmidt",
			"BOS Messenger – Lage Nord | Anna Schmidt hat Sie erwähnt",
			"BOS Messenger – Leer | 1 ungelesene Nachricht",
			"BOS Messenger – Zug 2 | Einladung in einen Raum"}},
		{session.NotifyFull, []string{
			"BOS Messenger – Einsatz Brand | Anna Schmidt: Brand Hauptstraße 5, zwei Verletzte",
			"BOS Messenger – Lage Nord | Anna Schmidt: Brand Hauptstraße 5, zwei Verletzte",
			"BOS Messenger – Leer | 1 ungelesene Nachricht",
			"BOS Messenger – Zug 2 | Einladung in einen Raum"}},
	} {
		var got []string
		n := newNotifier()
		n.content = tc.content
		n.send = func(title, body string) { got = append(got, title+" | "+body) }
		n.preview = func(r id.RoomID) (session.NotificationPreview, bool) {
			if r == idRoom("e") {
				return session.NotificationPreview{}, false
			}
			return session.NotificationPreview{SenderName: "Anna Schmidt", Body: "Brand Hauptstraße 5, zwei Verletzte"}, true
		}
		n.async = func(f func()) { go f() }
		rooms := func(unread int) []session.RoomSummary {
			return []session.RoomSummary{
				{ID: idRoom("a"), Name: "Einsatz Brand", NotifyCount: unread, Membership: "join"},
				{ID: idRoom("c"), Name: "Lage Nord", NotifyCount: unread, HighlightCount: unread, Membership: "join"},
				{ID: idRoom("e"), Name: "Leer", NotifyCount: unread, Membership: "join"},
			}
		}
		n.update(rooms(0), "")
		n.update(append(rooms(1), session.RoomSummary{ID: idRoom("d"), Name: "Zug 2", Membership: "invite"}), "")
		q.until(t, "4 notifications", func() bool { return len(got) == 4 })
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.content, got, tc.want)
		}
		if tc.content == session.NotifySender && strings.Contains(strings.Join(got, "\n"), "Hauptstraße") {
			t.Errorf("sender shows the message text: %q", got)
		}
	}
}
