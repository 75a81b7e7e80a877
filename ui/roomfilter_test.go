package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func TestRoomFilterAndNeighbours(t *testing.T) {
	test.NewTempApp(t)
	space := id.RoomID("!kreis:x")
	rooms := []session.RoomSummary{
		{ID: "!inv:x", Name: "Zug 3", Membership: "invite"},
		{ID: space, Name: "Kreis Ahrweiler", Membership: "join", IsSpace: true},
		{ID: "!a:x", Name: "Einsatz Ahr", Topic: "Hochwasser", Membership: "join", Spaces: []id.RoomID{space}},
		{ID: "!dm:x", Name: "Anna Schmidt", Membership: "join", IsDirect: true},
		{ID: "!b:x", Name: "Leitstelle", Alias: "#ils:x", Membership: "join"},
	}
	rl := NewRoomList(rooms)
	w := test.NewTempWindow(t, rl.View())
	w.Resize(fyne.NewSize(300, 400))
	names := func() (out []string) {
		for _, r := range rl.Rooms() {
			out = append(out, r.Name)
		}
		return out
	}
	check := func(f RoomFilter, want ...string) {
		t.Helper()
		rl.SetFilter(f)
		got := names()
		if len(got) != len(want) {
			t.Fatalf("filter %+v: %q, want %q", f, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("filter %+v: %q, want %q", f, got, want)
			}
		}
	}
	check(RoomFilter{}, "Zug 3", "Einsatz Ahr", "Anna Schmidt", "Leitstelle") // spaces are filters, not rows
	check(RoomFilter{Kind: "dm"}, "Anna Schmidt")
	check(RoomFilter{Kind: "rooms"}, "Zug 3", "Einsatz Ahr", "Leitstelle")
	check(RoomFilter{Space: space}, "Einsatz Ahr")
	check(RoomFilter{Text: "hochw"}, "Einsatz Ahr") // topic
	check(RoomFilter{Text: "#ILS"}, "Leitstelle")   // alias, case-insensitive
	check(RoomFilter{Text: "nichts"})
	if !hasLabel(w.Content(), T("no_match")) {
		t.Fatalf("empty filter result: %q", labels(w.Content()))
	}

	rl.SetFilter(RoomFilter{})
	rl.Select("!dm:x")
	if rl.Neighbour(1) != "!b:x" || rl.Neighbour(-1) != "!a:x" || rl.Neighbour(2) != "!inv:x" {
		t.Fatalf("neighbours of the DM: %s %s %s", rl.Neighbour(1), rl.Neighbour(-1), rl.Neighbour(2))
	}
}
