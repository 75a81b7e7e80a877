package ui

import (
	"strings"
	"testing"
	"time"

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
