package ui

import (
	"fmt"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// rowMessages are n stored rows with row IDs from first on.
func rowMessages(first, n int) []session.Message {
	msgs := benchMessages(first + n)[first:]
	for i := range msgs {
		msgs[i].Row = int64(first + i + 1)
	}
	return msgs
}

// TestTimelineAppliesChangedRowOnly: a changed row replaces only that row; the other rows stay
// as they were, and the row shows its new content.
func TestTimelineAppliesChangedRowOnly(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(800, 600))
	tl.Set(rowMessages(0, 100), true)
	before := slices.Clone(tl.Messages())

	changed := before[97]
	changed.Body, changed.FormattedBody, changed.Edited = "Pegel fällt", "", true
	changed.Reactions = []session.Reaction{{Key: "👍", Count: 1}}
	changed.Row = before[97].Row
	tl.ApplyRows(nil, []session.Message{changed, {Row: 5000, EventID: "$notheld"}}, nil, false)
	if tl.Rebound() != 1 {
		t.Fatalf("%d rows replaced, want 1", tl.Rebound())
	}
	after := tl.Messages()
	if len(after) != 100 || after[97].Body != "Pegel fällt" {
		t.Fatalf("after the change: %d rows, row 97 %q", len(after), after[97].Body)
	}
	for i := range after {
		if i != 97 && after[i].EventID != before[i].EventID {
			t.Fatalf("row %d changed to %s", i, after[i].EventID)
		}
	}
	if !slices.Contains(richTexts(w.Content()), "Pegel fällt") || !hasLabel(w.Content(), "👍 1") {
		t.Errorf("the changed row does not show its new content: %q", richTexts(w.Content()))
	}

	// Receipts move without rebuilding rows: only the two rows whose readers changed.
	tl.SetReadBy(map[id.EventID][]id.UserID{before[99].EventID: {"@a:x"}})
	if tl.Rebound() != 2 || !slices.Equal(tl.Messages()[99].ReadBy, []id.UserID{"@a:x"}) {
		t.Fatalf("after receipts: %d rows replaced, read by %v", tl.Rebound(), tl.Messages()[99].ReadBy)
	}
	tl.SetReadBy(map[id.EventID][]id.UserID{before[98].EventID: {"@a:x"}})
	if tl.Rebound() != 4 || tl.Messages()[99].ReadBy != nil {
		t.Fatalf("after the receipt moved: %d rows replaced", tl.Rebound())
	}
}

// TestTimelinePrependAndAppendByRow: older pages go in front, new rows after the newest (before
// the echoes); rows already held are not repeated, and the view stays at the bottom.
func TestTimelinePrependAndAppendByRow(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(800, 600))
	echo := session.Message{TxnID: "t1", Sender: "@me:x", Kind: "text", Body: "unterwegs", SendState: session.SendStateQueued}
	tl.Set(append(rowMessages(200, 100), echo), true)
	tl.Prepend(rowMessages(100, 100))
	tl.Prepend(rowMessages(50, 100)) // overlaps: rows 101..150 are held already
	tl.ApplyRows(rowMessages(290, 20), nil, nil, false)
	b := tl.Bounds()
	msgs := tl.Messages()
	if b.Oldest != 51 || b.Newest != 310 || b.Count != 260 || len(msgs) != 261 || msgs[260].TxnID != "t1" {
		t.Fatalf("bounds %+v, %d messages, last %+v", b, len(msgs), msgs[len(msgs)-1])
	}
	for i := 1; i < b.Count; i++ {
		if msgs[i].Row != msgs[i-1].Row+1 {
			t.Fatalf("row %d: %d after %d", i, msgs[i].Row, msgs[i-1].Row)
		}
	}
	if !tl.atBottom() {
		t.Error("the view left the bottom")
	}
	// The echo's event arrived: the echoes are replaced.
	tl.ApplyRows(rowMessages(310, 1), nil, nil, true)
	if msgs := tl.Messages(); len(msgs) != 261 || msgs[260].Row != 311 {
		t.Fatalf("after the echo arrived: %d messages, last %+v", len(msgs), msgs[len(msgs)-1])
	}
	if fmt.Sprint(tl.Bounds().Gen) == "0" {
		t.Error("Set did not bump the generation")
	}
}
