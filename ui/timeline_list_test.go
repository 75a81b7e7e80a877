package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestTimelinePagingBindsOnlyNewRows: paging back through a room binds the rows that come into
// view and the one whose neighbour changed, not every row in view again for each row measured
// (widget.List refreshed the whole list on every height that differed from its template's).
func TestTimelinePagingBindsOnlyNewRows(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(800, 600))
	tl.Set(rowMessages(900, 100), true)
	before := tl.bound
	const pages = 9
	for p := pages - 1; p >= 0; p-- {
		tl.Prepend(rowMessages(p*100, 100))
		tl.list.ScrollToTop()
	}
	if n := len(tl.Messages()); n != 1000 || tl.Messages()[0].Row != 1 {
		t.Fatalf("%d rows, first %d", n, tl.Messages()[0].Row)
	}
	for i, m := range tl.Messages() {
		if m.Row != int64(i+1) {
			t.Fatalf("row %d holds row ID %d", i, m.Row)
		}
	}
	// About 600/56 rows fit the view: each page binds those at the top and the old first row.
	inView := int(600/estimatedRowHeight) + 2
	if got, limit := tl.bound-before, pages*(inView+2); got > limit {
		t.Errorf("paging back %d pages bound %d rows, want at most %d", pages, got, limit)
	}
}

// TestTimelinePrependKeepsView: rows put in front do not move the rows in view on screen.
func TestTimelinePrependKeepsView(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(800, 600))
	tl.Set(rowMessages(100, 100), true)
	tl.list.ScrollToOffset(tl.list.GetScrollOffset() - 300)
	shownAt := func(row int64) (float32, bool) {
		for _, it := range tl.list.visible {
			if r := it.child.(*rowView).r; r.msg.Row == row {
				return fyne.CurrentApp().Driver().AbsolutePositionForObject(it).Y, true
			}
		}
		return 0, false
	}
	target := tl.list.visible[len(tl.list.visible)/2].child.(*rowView).r.msg.Row
	y0, _ := shownAt(target)
	bound := tl.bound
	tl.Prepend(rowMessages(0, 100))
	y1, ok := shownAt(target)
	if !ok || y1 != y0 {
		t.Fatalf("row %d was at %v, after the prepend at %v (shown %v)", target, y0, y1, ok)
	}
	if tl.bound-bound > 1 {
		t.Errorf("the prepend bound %d rows, want at most the old first one", tl.bound-bound)
	}
	if tl.Messages()[100].Row != 101 || len(tl.Messages()) != 200 {
		t.Fatalf("rows after the prepend: %d, row 100 is %d", len(tl.Messages()), tl.Messages()[100].Row)
	}
}
