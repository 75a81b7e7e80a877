package ui

import (
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func TestNotifierRules(t *testing.T) {
	SetLang("de")
	var got []string
	now := time.Unix(1000, 0)
	n := newNotifier()
	n.now = func() time.Time { return now }
	n.send = func(title, body string) { got = append(got, title+" | "+body) }
	room := func(id string, name string, unread, hl int, dm bool, membership string) session.RoomSummary {
		return session.RoomSummary{ID: idRoom(id), Name: name, NotifyCount: unread, HighlightCount: hl, IsDirect: dm, Membership: membership}
	}
	n.update([]session.RoomSummary{room("a", "Lage", 3, 0, false, "join"), room("b", "Anna", 0, 0, true, "join")}, "")
	if len(got) != 0 {
		t.Fatalf("first snapshot notified: %q", got)
	}
	n.update([]session.RoomSummary{room("a", "Lage", 4, 0, false, "join"), room("b", "Anna", 1, 0, true, "join"),
		room("c", "Zug 2", 0, 0, false, "invite")}, "")
	want := []string{"BOS Messenger – Lage | 4 ungelesene Nachrichten", "BOS Messenger – Anna | Neue Direktnachricht", "BOS Messenger – Zug 2 | Einladung in einen Raum"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("got %q, want %q", got, want)
	}
	// Within the gap: nothing; the shown room with the window focused: nothing.
	got = nil
	now = now.Add(5 * time.Second)
	n.update([]session.RoomSummary{room("a", "Lage", 5, 1, false, "join")}, "")
	now = now.Add(10 * time.Second)
	n.update([]session.RoomSummary{room("a", "Lage", 6, 1, false, "join")}, "!a:x")
	if len(got) != 0 {
		t.Fatalf("throttled or shown room notified: %q", got)
	}
	// Window in the background: the shown room notifies too, a mention says so, never the text.
	n.foreground = false
	n.update([]session.RoomSummary{room("a", "Lage", 7, 1, false, "join")}, "!a:x")
	if len(got) != 1 || got[0] != "BOS Messenger – Lage | Sie wurden erwähnt" {
		t.Fatalf("background mention: %q", got)
	}
}

func idRoom(s string) id.RoomID { return id.RoomID("!" + s + ":x") }

// A room name with a bidi override and an escape sequence reaches the notification cleaned.
func TestNotifierCleansRoomNames(t *testing.T) {
	SetLang("de")
	var got []string
	n := newNotifier()
	n.send = func(title, body string) { got = append(got, title) }
	evil := session.RoomSummary{ID: idRoom("e"), Name: "Lage\u202e\x1b]0;x\a Nord", Membership: "join"}
	n.update([]session.RoomSummary{evil}, "")
	evil.NotifyCount = 1
	n.update([]session.RoomSummary{evil}, "")
	if len(got) != 1 || got[0] != "BOS Messenger – Lage]0;x Nord" {
		t.Fatalf("got %q", got)
	}
}
