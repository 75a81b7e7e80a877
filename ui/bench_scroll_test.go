//go:build guibench && linux

package ui

// Scrolling a 10,000-message room in-process: the engine pages from a sealed store and the
// timeline widget applies the pages and renders the rows at the top, as the wheel does in
// BenchmarkGUI (cmd/bosmessenger), without Xvfb. Needs the tag guibench (the engine's bench hooks):
//
//	go test -tags goolm,guibench -run '^$' -bench 'TimelineScrollEngine|TimelineNewMessageEngine' -benchtime 3x ./ui
//
// mode=rows pages by row ID (TimelineBefore + Prepend), mode=window as the GUI did before (a
// Timeline window raised by 100 per page, then Set with everything). Metrics: heap-growth-MB is
// the live heap after the scroll minus before (after a GC each), rss-growth-MB the process RSS.

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

const (
	benchRoom      = "!gross:x"
	benchRoomTotal = 10000
)

// benchSession is an offline session with one room of 10,000 messages (a third edited, each with
// two reactions), seeded through the engine's ingest code.
func benchSession(b *testing.B) *session.Session {
	ctx := context.Background()
	s, err := session.OpenOfflineForBench(ctx, b.TempDir(), "@me:x")
	if err != nil {
		b.Fatal(err)
	}
	var events []string
	batch := 0
	flush := func() {
		batch++
		body := fmt.Sprintf(`{"next_batch":"s%d","rooms":{"join":{%q:{"timeline":{"limited":false,"events":[%s]}}}}}`,
			batch, benchRoom, strings.Join(events, ","))
		if _, err := s.IngestSyncForBench(ctx, []byte(body)); err != nil {
			b.Fatal(err)
		}
		events = events[:0]
	}
	ev := func(evType, eventID, sender string, ts int, content string) string {
		return fmt.Sprintf(`{"type":%q,"event_id":%q,"sender":%q,"origin_server_ts":%d,"content":%s}`, evType, eventID, sender, ts, content)
	}
	base := 1795000000000
	for i := range benchRoomTotal {
		msgID := fmt.Sprintf("$m%d", i)
		sender := fmt.Sprintf("@u%d:x", i%7)
		events = append(events, ev("m.room.message", msgID, sender, base+i*60000,
			fmt.Sprintf(`{"msgtype":"m.text","body":"Meldung %d: Lage unverändert, Pegel %d cm, Kräfte vor Ort, nächste Meldung in 30 Minuten."}`, i, 500+i%40)))
		if i%3 == 0 {
			events = append(events, ev("m.room.message", msgID+"e", sender, base+i*60000+1,
				fmt.Sprintf(`{"msgtype":"m.text","body":"* neu %d","m.new_content":{"msgtype":"m.text","body":"Meldung %d (korrigiert)"},"m.relates_to":{"rel_type":"m.replace","event_id":%q}}`, i, i, msgID)))
		}
		for r := range 2 {
			events = append(events, ev("m.reaction", fmt.Sprintf("%sr%d", msgID, r), fmt.Sprintf("@u%d:x", r), base+i*60000+2+r,
				fmt.Sprintf(`{"m.relates_to":{"rel_type":"m.annotation","event_id":%q,"key":"👍"}}`, msgID)))
		}
		if len(events) >= 1000 {
			flush()
		}
	}
	flush()
	return s
}

func liveHeapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func rssMB() float64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func BenchmarkTimelineScrollEngine(b *testing.B) {
	s := benchSession(b)
	ctx := context.Background()
	for _, mode := range []string{"rows", "window"} {
		b.Run("mode="+mode, func(b *testing.B) {
			test.NewTempApp(b)
			var heap, rss float64
			for b.Loop() {
				tl := NewTimeline("@me:x")
				w := test.NewWindow(tl.View())
				w.Resize(fyne.NewSize(1000, 700))
				heap0, rss0 := liveHeapMB(), rssMB()
				var first id.EventID
				if mode == "rows" {
					p, err := s.TimelineBefore(ctx, benchRoom, session.NewestRow, pageSize)
					if err != nil {
						b.Fatal(err)
					}
					tl.Set(append(p.Messages, p.Echoes...), true)
					for !p.Start {
						if p, err = s.TimelineBefore(ctx, benchRoom, tl.Bounds().Oldest, pageSize); err != nil {
							b.Fatal(err)
						}
						tl.Prepend(p.Messages)
						tl.list.ScrollToTop() // the wheel reaches the top: its rows are bound
					}
				} else {
					for limit := pageSize; ; limit += pageSize {
						msgs, err := s.Timeline(ctx, benchRoom, limit)
						if err != nil {
							b.Fatal(err)
						}
						tl.Set(msgs, limit == pageSize)
						tl.list.ScrollToTop()
						if len(msgs) < limit {
							break
						}
					}
				}
				first = tl.Messages()[0].EventID
				if n := len(tl.Messages()); n != benchRoomTotal || first != "$m0" {
					b.Fatalf("scrolled to %s with %d rows", first, n)
				}
				b.StopTimer()
				heap += liveHeapMB() - heap0
				rss += rssMB() - rss0
				w.Close()
				b.StartTimer()
			}
			b.ReportMetric(heap/float64(b.N), "heap-growth-MB")
			b.ReportMetric(rss/float64(b.N), "rss-growth-MB")
		})
	}
}

// BenchmarkTimelineNewMessageEngine: one new message arrives in the room whose 10,000 rows the
// timeline holds (scrolled through): the delta of its change batch, the new row loaded and
// appended, the view kept at the bottom. The ingest of the message is not timed.
func BenchmarkTimelineNewMessageEngine(b *testing.B) {
	s := benchSession(b)
	ctx := context.Background()
	test.NewTempApp(b)
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(b, tl.View())
	w.Resize(fyne.NewSize(1000, 700))
	msgs, err := s.Timeline(ctx, benchRoom, benchRoomTotal)
	if err != nil {
		b.Fatal(err)
	}
	tl.Set(msgs, true)
	seq, err := s.LastSeq(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sub := s.Subscribe(seq)
	defer sub.Close()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		body := fmt.Sprintf(`{"next_batch":"n%d","rooms":{"join":{%q:{"timeline":{"limited":false,"events":[{"type":"m.room.message","event_id":"$new%d","sender":"@u1:x","origin_server_ts":%d,"content":{"msgtype":"m.text","body":"Neue Meldung %d"}}]}}}}}`,
			i, benchRoom, i, 1900000000000+i, i)
		if _, err := s.IngestSyncForBench(ctx, []byte(body)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		batch, err := sub.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		d, err := s.TimelineChanges(ctx, benchRoom, batch)
		if err != nil || !d.New {
			b.Fatalf("delta %+v: %v", d, err)
		}
		p, err := s.TimelineAfter(ctx, benchRoom, tl.Bounds().Newest, maxNewRows)
		if err != nil {
			b.Fatal(err)
		}
		tl.ApplyRows(p.Messages, nil, p.Echoes, true)
		if last := tl.Messages()[len(tl.Messages())-1]; last.EventID != id.EventID(fmt.Sprintf("$new%d", i)) {
			b.Fatalf("last row %s", last.EventID)
		}
	}
}
