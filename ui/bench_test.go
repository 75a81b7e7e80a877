package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func benchMessages(n int) []session.Message {
	msgs := make([]session.Message, n)
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.Local).UnixMilli()
	for i := range msgs {
		msgs[i] = session.Message{EventID: id.EventID(fmt.Sprintf("$e%d", i)), Sender: id.UserID(fmt.Sprintf("@u%d:x", i%7)),
			SenderName: fmt.Sprintf("Einheit %d", i%7), TS: base + int64(i)*60_000, Kind: "text", Encrypted: true, SenderVerified: i%3 == 0,
			Body:          fmt.Sprintf("Meldung %d: Lage unverändert, Pegel %d cm, Kräfte vor Ort, nächste Meldung in 30 Minuten.", i, 500+i%40),
			FormattedBody: fmt.Sprintf("Meldung %d: <strong>Lage unverändert</strong>, Pegel %d cm", i, 500+i%40)}
		if i%10 == 0 {
			msgs[i].Reactions = []session.Reaction{{Key: "✅", Count: 2}}
		}
	}
	return msgs
}

// BenchmarkTimelineSet measures showing a room: Set with n messages in a 1000×700 window, scrolled
// to the newest (what opening a room costs on the UI goroutine, rendering of the visible rows included).
func BenchmarkTimelineSet(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			test.NewTempApp(b)
			msgs := benchMessages(n)
			tl := NewTimeline("@me:x")
			w := test.NewTempWindow(b, tl.View())
			w.Resize(fyne.NewSize(1000, 700))
			b.ResetTimer()
			for range b.N {
				tl.Set(nil, true)
				tl.Set(msgs, true)
			}
		})
	}
}

// BenchmarkTimelineScroll measures scrolling a 10,000-message room by one screen (rows rebound).
func BenchmarkTimelineScroll(b *testing.B) {
	test.NewTempApp(b)
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(b, tl.View())
	w.Resize(fyne.NewSize(1000, 700))
	tl.Set(benchMessages(10000), true)
	b.ResetTimer()
	for i := range b.N {
		tl.list.ScrollTo((i * 12) % 10000)
	}
}

// BenchmarkRoomListSet measures replacing the room list with 500 rooms (after every sync batch).
func BenchmarkRoomListSet(b *testing.B) {
	test.NewTempApp(b)
	rooms := make([]session.RoomSummary, 500)
	for i := range rooms {
		rooms[i] = session.RoomSummary{ID: id.RoomID(fmt.Sprintf("!r%d:x", i)), Name: fmt.Sprintf("Einsatzabschnitt %d", i),
			Membership: "join", Encrypted: true, NotifyCount: i % 4, IsDirect: i%5 == 0}
	}
	rl := NewRoomList(nil)
	w := test.NewTempWindow(b, rl.View())
	w.Resize(fyne.NewSize(320, 700))
	b.ResetTimer()
	for range b.N {
		rl.Set(rooms)
	}
}

// BenchmarkTimelineWheel: one mouse-wheel step (25 px, as Fyne's desktop driver scrolls) up
// through a room of 10,000 loaded messages, through the scroll relay as under the pointer.
func BenchmarkTimelineWheel(b *testing.B) {
	test.NewTempApp(b)
	SetLang("de")
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(b, tl.View())
	w.Resize(fyne.NewSize(1000, 700))
	tl.Set(benchMessages(10000), true)
	for b.Loop() {
		if tl.list.GetScrollOffset() == 0 {
			b.StopTimer()
			tl.list.ScrollToBottom()
			b.StartTimer()
		}
		tl.relay.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: 25}})
	}
}
