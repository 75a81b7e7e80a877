package session

// Timeline by row (timeline.go, timeline_rows.go): pages by row ID, the rows a change batch
// touched, and that building those rows folds only them.

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// changesAfter returns the changes the store recorded after seq, and the newest seq.
func changesAfter(t testing.TB, s *Session, seq int64) ([]Change, int64) {
	t.Helper()
	var out []Change
	err := s.db.Read(context.Background(), func(tx *store.Tx) error {
		for {
			list, err := tx.ChangesSince(seq, 10000)
			if err != nil || len(list) == 0 {
				return err
			}
			for _, c := range list {
				out = append(out, fromStore(c))
				seq = c.Seq
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, seq
}

func ingestOK(t testing.TB, db *store.DB, room string, batch int, events []string, ephemeral ...string) {
	t.Helper()
	if in, err := ingestJSON(db, syncWith(room, batch, events, ephemeral...)); err != nil || in.malformed != 0 {
		t.Fatalf("ingest: %v", err)
	}
}

func textEvents(from, n int) []string {
	var out []string
	for i := from; i < from+n; i++ {
		out = append(out, ev("m.room.message", fmt.Sprintf("$m%d", i), fmt.Sprintf("@u%d:x", i%3), i*10,
			fmt.Sprintf(`{"msgtype":"m.text","body":"Meldung %d"}`, i)))
	}
	return out
}

func TestTimelineChangeRebuildsOnlyThatRow(t *testing.T) {
	db := testStore(t)
	const room = "!r:x"
	ingestOK(t, db, room, 1, textEvents(0, 300))
	s := offlineSession(db, "@me:x")
	ctx := context.Background()
	page, err := s.TimelineBefore(ctx, room, NewestRow, 100)
	if err != nil || len(page.Messages) != 100 || page.Messages[99].EventID != "$m299" || page.Start {
		t.Fatalf("newest page: %d messages, start %v, %v", len(page.Messages), page.Start, err)
	}
	_, seq := changesAfter(t, s, 0)

	// check ingests events, reads the delta of the batch and builds the changed rows: only
	// wantRows of them may be folded.
	check := func(what string, events []string, ephemeral []string, want TimelineDelta, wantRows int) {
		t.Helper()
		ingestOK(t, db, room, int(seq)+10, events, ephemeral...)
		var batch []Change
		batch, seq = changesAfter(t, s, seq)
		d, err := s.TimelineChanges(ctx, room, batch)
		if err != nil {
			t.Fatal(err)
		}
		if d.New != want.New || d.Receipts != want.Receipts || d.Reset || d.Members || !slices.Equal(d.Changed, want.Changed) {
			t.Fatalf("%s: delta %+v, want %+v", what, d, want)
		}
		before := s.rowsFolded.Load()
		rows, err := s.TimelineRows(ctx, room, d.Changed)
		if err != nil {
			t.Fatal(err)
		}
		if folded := s.rowsFolded.Load() - before; folded != int64(wantRows) || len(rows) != wantRows {
			t.Fatalf("%s: folded %d rows (%d returned), want %d", what, folded, len(rows), wantRows)
		}
	}
	check("reaction", []string{ev("m.reaction", "$r1", "@u1:x", 5000, `{"m.relates_to":{"rel_type":"m.annotation","event_id":"$m250","key":"👍"}}`)},
		nil, TimelineDelta{Changed: []id.EventID{"$m250"}}, 1)
	rows, _ := s.TimelineRows(ctx, room, []id.EventID{"$m250"})
	if len(rows) != 1 || len(rows[0].Reactions) != 1 || rows[0].Row != page.Messages[50].Row {
		t.Fatalf("row $m250 after the reaction: %+v (row in the page %d)", rows, page.Messages[50].Row)
	}
	check("edit", []string{ev("m.room.message", "$e1", "@u0:x", 5001,
		`{"msgtype":"m.text","body":"* neu","m.new_content":{"msgtype":"m.text","body":"neu"},"m.relates_to":{"rel_type":"m.replace","event_id":"$m210"}}`)},
		nil, TimelineDelta{Changed: []id.EventID{"$m210"}}, 1)
	check("redacted reaction", []string{`{"type":"m.room.redaction","event_id":"$x1","sender":"@u1:x","origin_server_ts":5002,"redacts":"$r1","content":{}}`},
		nil, TimelineDelta{Changed: []id.EventID{"$r1", "$m250"}}, 1) // the reaction is no row of its own
	check("redacted message", []string{`{"type":"m.room.redaction","event_id":"$x2","sender":"@u1:x","origin_server_ts":5003,"redacts":"$m120","content":{}}`},
		nil, TimelineDelta{Changed: []id.EventID{"$m120"}}, 1)
	check("thread reply", []string{ev("m.room.message", "$t1", "@u2:x", 5004,
		`{"msgtype":"m.text","body":"im Faden","m.relates_to":{"rel_type":"m.thread","event_id":"$m299","is_falling_back":true,"m.in_reply_to":{"event_id":"$m299"}}}`)},
		nil, TimelineDelta{Changed: []id.EventID{"$m299"}}, 1)
	check("receipt", nil, []string{`{"type":"m.receipt","content":{"$m280":{"m.read":{"@u1:x":{"ts":5005}}}}}`},
		TimelineDelta{Receipts: true}, 0)
	readBy, err := s.TimelineReadBy(ctx, room)
	if err != nil || !slices.Equal(readBy["$m280"], []id.UserID{"@u1:x"}) {
		t.Fatalf("read by: %v, %v", readBy, err)
	}
	check("new message", textEvents(300, 1), nil, TimelineDelta{New: true}, 0)
	before := s.rowsFolded.Load()
	after, err := s.TimelineAfter(ctx, room, page.Messages[99].Row, 100)
	if err != nil || len(after.Messages) != 1 || after.Messages[0].EventID != "$m300" || s.rowsFolded.Load()-before != 1 {
		t.Fatalf("rows after the newest: %+v (%d folded), %v", after.Messages, s.rowsFolded.Load()-before, err)
	}
	// Edits and redactions show in the rebuilt rows as in the whole window.
	whole, err := s.Timeline(ctx, room, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range whole {
		if m.EventID == "$m210" && (!m.Edited || m.Body != "neu") || m.EventID == "$m120" && !m.Redacted ||
			m.EventID == "$m250" && len(m.Reactions) != 0 || m.EventID == "$m299" && (m.Thread == nil || m.Thread.Count != 1) {
			t.Errorf("window row %s: %+v", m.EventID, m)
		}
	}
}

// TestTimelinePagingByRowWithNewMessages: paging back by row ID from the newest row, while new
// messages arrive between the pages, and catching up after the newest row held, neither skips
// nor repeats a row.
func TestTimelinePagingByRowWithNewMessages(t *testing.T) {
	db := testStore(t)
	const room = "!r:x"
	ingestOK(t, db, room, 1, textEvents(0, 500))
	s := offlineSession(db, "@me:x")
	ctx := context.Background()
	page, err := s.TimelineBefore(ctx, room, NewestRow, 37)
	if err != nil {
		t.Fatal(err)
	}
	held := page.Messages
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // new messages while the pages load
		defer wg.Done()
		for i := range 20 {
			if in, err := ingestJSON(db, syncWith(room, 100+i, textEvents(500+i*5, 5))); err != nil || in.malformed != 0 {
				t.Errorf("ingest: %v", err)
				return
			}
		}
	}()
	for {
		older, err := s.TimelineBefore(ctx, room, held[0].Row, 37)
		if err != nil {
			t.Fatal(err)
		}
		held = append(older.Messages, held...)
		if older.Start {
			break
		}
		newer, err := s.TimelineAfter(ctx, room, held[len(held)-1].Row, 7)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, newer.Messages...)
	}
	wg.Wait()
	for {
		newer, err := s.TimelineAfter(ctx, room, held[len(held)-1].Row, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(newer.Messages) == 0 {
			break
		}
		held = append(held, newer.Messages...)
	}
	if len(held) != 600 {
		t.Fatalf("%d rows held, want 600", len(held))
	}
	for i, m := range held {
		if want := id.EventID(fmt.Sprintf("$m%d", i)); m.EventID != want || (i > 0 && m.Row <= held[i-1].Row) {
			t.Fatalf("row %d is %s (row %d), want %s in row order", i, m.EventID, m.Row, want)
		}
	}
}
