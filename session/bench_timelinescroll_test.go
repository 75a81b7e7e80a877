package session

// Benchmarks of the timeline by row (docs/PERFORMANCE.md, "Timeline by row"):
//
//	go test -tags goolm -run '^$' -bench 'TimelineScroll10k|TimelineNewMessage' -benchtime 3x ./session
//
// BenchmarkTimelineScroll10k pages through a room of 10,000 messages (a third edited, each with
// two reactions) from the newest to the first, 100 rows a page: mode=rows pages by row ID
// (TimelineBefore), mode=window is how the GUI paged before (Timeline with a limit raised by 100
// for every page, everything built again). BenchmarkTimelineNewMessage applies one new message
// in that room: the delta of its change batch and the rows after the newest one held
// (mode=rows), against building the whole scrolled-through window again (mode=window).

import (
	"context"
	"fmt"
	"testing"

	"bosmessenger/store"
)

// seedBigRoom fills room with total messages through the ingest path, a third of them edited,
// each with two reactions (as BenchmarkTimeline).
func seedBigRoom(b *testing.B, db *store.DB, room string, total int) {
	var events []string
	batch := 0
	flush := func() {
		batch++
		if in, err := ingestJSON(db, syncWith(room, batch, events)); err != nil || in.malformed != 0 {
			b.Fatalf("ingest: %v", err)
		}
		events = events[:0]
	}
	for i := range total {
		msgID := fmt.Sprintf("$m%d", i)
		sender := fmt.Sprintf("@u%d:x", i%7)
		events = append(events, ev("m.room.message", msgID, sender, i*10, fmt.Sprintf(`{"msgtype":"m.text","body":"Meldung %d mit etwas Text, wie er in Lagemeldungen steht"}`, i)))
		if i%3 == 0 {
			events = append(events, ev("m.room.message", msgID+"e", sender, i*10+1,
				fmt.Sprintf(`{"msgtype":"m.text","body":"* neu %d","m.new_content":{"msgtype":"m.text","body":"neu %d"},"m.relates_to":{"rel_type":"m.replace","event_id":%q}}`, i, i, msgID)))
		}
		for r := range 2 {
			events = append(events, ev("m.reaction", fmt.Sprintf("%sr%d", msgID, r), fmt.Sprintf("@u%d:x", r), i*10+2+r,
				fmt.Sprintf(`{"m.relates_to":{"rel_type":"m.annotation","event_id":%q,"key":"👍"}}`, msgID)))
		}
		if len(events) >= 1000 {
			flush()
		}
	}
	flush()
}

func BenchmarkTimelineScroll10k(b *testing.B) {
	db := testStore(b)
	const room, total, page = "!bench:x", 10000, 100
	seedBigRoom(b, db, room, total)
	s := offlineSession(db, "@me:x")
	ctx := context.Background()
	b.Run("mode=rows", func(b *testing.B) {
		for b.Loop() {
			p, err := s.TimelineBefore(ctx, room, NewestRow, page)
			n, first := len(p.Messages), p.Messages[0]
			for err == nil && !p.Start {
				p, err = s.TimelineBefore(ctx, room, first.Row, page)
				n += len(p.Messages)
				if len(p.Messages) > 0 {
					first = p.Messages[0]
				}
			}
			if err != nil || n != total || first.EventID != "$m0" {
				b.Fatalf("paged %d rows, first %s: %v", n, first.EventID, err)
			}
		}
	})
	b.Run("mode=window", func(b *testing.B) {
		for b.Loop() {
			for limit := page; ; limit += page {
				msgs, err := s.Timeline(ctx, room, limit)
				if err != nil {
					b.Fatal(err)
				}
				if len(msgs) < limit {
					if len(msgs) != total || msgs[0].EventID != "$m0" {
						b.Fatalf("window of %d, first %s", len(msgs), msgs[0].EventID)
					}
					break
				}
			}
		}
	})
}

func BenchmarkTimelineNewMessage(b *testing.B) {
	db := testStore(b)
	const room, total = "!bench:x", 10000
	seedBigRoom(b, db, room, total)
	s := offlineSession(db, "@me:x")
	ctx := context.Background()
	_, seq := changesAfter(b, s, 0)
	next := total
	send := func(b *testing.B) []Change {
		b.StopTimer()
		ingestOK(b, db, room, 100000+next, textEvents(next, 1))
		next++
		var batch []Change
		batch, seq = changesAfter(b, s, seq)
		b.StartTimer()
		return batch
	}
	b.Run("mode=rows", func(b *testing.B) {
		newest, err := s.TimelineBefore(ctx, room, NewestRow, 1)
		if err != nil {
			b.Fatal(err)
		}
		held := newest.Messages[0].Row
		for range b.N {
			batch := send(b)
			d, err := s.TimelineChanges(ctx, room, batch)
			if err != nil || !d.New {
				b.Fatalf("delta %+v: %v", d, err)
			}
			p, err := s.TimelineAfter(ctx, room, held, 500)
			if err != nil || len(p.Messages) != 1 {
				b.Fatalf("%d new rows: %v", len(p.Messages), err)
			}
			held = p.Messages[0].Row
		}
	})
	b.Run("mode=window", func(b *testing.B) {
		for range b.N {
			send(b)
			msgs, err := s.Timeline(ctx, room, total)
			if err != nil || len(msgs) != total {
				b.Fatalf("window of %d: %v", len(msgs), err)
			}
		}
	})
}
