package ui

import (
	"slices"
	"sort"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// Row-wise updates of the timeline: older pages are put in front (Prepend), new rows appended,
// changed rows replaced in place and receipts moved (ApplyRows, SetReadBy), so a change batch
// costs what it touched, never a rebuild of everything loaded. Rows are identified by their row ID
// (session.Message.Row); all[:nStored] are stored rows in row order, the local echoes follow.

// rowView is one list row: the row's widgets, found again by bind without a lookup table (the
// list also makes rows just to measure its template, which must not be kept).
type rowView struct {
	widget.BaseWidget
	r *messageRow
}

func newRowView(r *messageRow) *rowView {
	v := &rowView{r: r}
	v.ExtendBaseWidget(v)
	return v
}

func (v *rowView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.r.box) }

// RowBounds is what the timeline holds, for the goroutines that load pages and changes: the oldest
// and newest stored row, how many stored rows, and the thread roots among them.
type RowBounds struct {
	Oldest, Newest int64
	Count          int
	Threads        []id.EventID // loaded rows with a thread summary
	Gen            int          // bumps with every Set: rows loaded for an older Gen do not fit
}

// rowBounds guards the copy of RowBounds the engine goroutines read.
type rowBounds struct {
	mu sync.Mutex
	b  RowBounds
}

// Bounds returns the stored rows the timeline holds; unlike the other methods it may be called
// from any goroutine.
func (t *Timeline) Bounds() RowBounds {
	t.bounds.mu.Lock()
	defer t.bounds.mu.Unlock()
	return t.bounds.b
}

func (t *Timeline) updateBounds() {
	b := RowBounds{Gen: t.gen}
	if t.nStored > 0 {
		b.Oldest, b.Newest, b.Count = t.all[0].Row, t.all[t.nStored-1].Row, t.nStored
		for _, m := range t.all[:t.nStored] {
			if m.Thread != nil {
				b.Threads = append(b.Threads, m.EventID)
			}
		}
	}
	t.bounds.mu.Lock()
	t.bounds.b = b
	t.bounds.mu.Unlock()
}

// storedPrefix counts the leading messages with a row ID (stored rows; echoes and thread windows
// have none).
func storedPrefix(msgs []session.Message) int {
	for i, m := range msgs {
		if m.Row == 0 {
			return i
		}
	}
	return len(msgs)
}

// Prepend puts an older page (stored rows, oldest first) in front of the loaded rows and keeps the
// rows in view where they are. Rows it already holds are skipped.
func (t *Timeline) Prepend(page []session.Message) {
	page = shown(page)
	if t.nStored > 0 {
		oldest := t.all[0].Row
		n := 0
		for n < len(page) && page[n].Row < oldest && page[n].Row != 0 {
			n++
		}
		page = page[:n]
	}
	if len(page) == 0 {
		return
	}
	if t.query != "" || len(t.all) == 0 {
		t.Set(append(page, t.all...), false)
		return
	}
	defer t.updateBounds()
	k := len(page)
	t.all = t.front.prepend(t.all, page)
	t.nStored += k
	t.msgs = t.all
	t.heights = append(make([]float32, k, k+len(t.heights)), t.heights...)
	// The rows in view stay bound and where they are on screen; the list moves its offset by
	// the (estimated) height of the rows put in front.
	t.settling = true
	t.list.Prepended(k)
	t.settling = false
}

// frontRows keeps room in front of the timeline's rows, so putting a page in front copies the
// page, not every row held (append(page, all...) copied all 10,000 rows of a room for each of
// its 100 pages and left them to the collector).
type frontRows struct {
	buf   []session.Message // all == buf[spare:spare+len(all)] while all was not replaced
	spare int
}

// prepend returns page followed by all.
func (f *frontRows) prepend(all, page []session.Message) []session.Message {
	k := len(page)
	if len(all) > 0 && f.spare >= k && f.spare < len(f.buf) && &f.buf[f.spare] == &all[0] {
		f.spare -= k
		copy(f.buf[f.spare:], page)
		return f.buf[f.spare : f.spare+k+len(all) : cap(f.buf)]
	}
	n := k + len(all)
	f.buf = make([]session.Message, 2*n)
	f.spare = n
	copy(f.buf[n:], page)
	copy(f.buf[n+k:], all)
	return f.buf[n:]
}

// ApplyRows applies what changed, by row: added are stored rows newer than the newest one held
// (older or known ones are skipped), changed replace the rows with the same row ID in place (rows
// not held are ignored), and echoes, when setEchoes, replace the local echoes after the rows. The
// view stays at the bottom when it was there.
func (t *Timeline) ApplyRows(added, changed []session.Message, echoes []session.Message, setEchoes bool) {
	if t.query != "" {
		t.applyFiltered(added, changed, echoes, setEchoes)
		return
	}
	defer t.updateBounds()
	for _, m := range changed {
		if i, ok := t.rowIndex(m.Row); ok {
			t.replaceRow(i, m)
		}
	}
	newest := int64(0)
	if t.nStored > 0 {
		newest = t.all[t.nStored-1].Row
	}
	var add []session.Message
	for _, m := range shown(added) {
		if m.Row != 0 && (t.nStored == 0 || m.Row > newest) {
			add = append(add, m)
			newest = m.Row
		}
	}
	if len(add) == 0 && !setEchoes {
		return
	}
	atBottom := t.atBottom()
	tail := t.all[t.nStored:]
	if setEchoes {
		tail = shown(echoes)
	}
	// The stored rows stay where they are (no copy of a large room); the few echoes move behind
	// the added rows.
	tail = slices.Clone(tail)
	tailHeights := make([]float32, len(tail))
	if !setEchoes {
		copy(tailHeights, t.heights[t.nStored:])
	}
	all := append(append(t.all[:t.nStored], add...), tail...)
	heights := append(append(t.heights[:t.nStored], make([]float32, len(add))...), tailHeights...)
	t.all, t.msgs, t.heights = all, all, heights
	t.nStored += len(add)
	t.list.Refresh()
	if atBottom {
		t.list.ScrollToBottom()
	}
}

// applyFiltered applies changes while the find bar narrows the list: the matches are computed again.
func (t *Timeline) applyFiltered(added, changed, echoes []session.Message, setEchoes bool) {
	all := slices.Clone(t.all[:t.nStored])
	for _, m := range changed {
		if i, ok := t.rowIndex(m.Row); ok {
			all[i] = m
		}
	}
	newest := int64(0)
	if len(all) > 0 {
		newest = all[len(all)-1].Row
	}
	for _, m := range shown(added) {
		if m.Row != 0 && (len(all) == 0 || m.Row > newest) {
			all = append(all, m)
			newest = m.Row
		}
	}
	tail := t.all[t.nStored:]
	if setEchoes {
		tail = shown(echoes)
	}
	t.Set(append(all, tail...), false)
}

// rowIndex finds the stored row with row ID row in all (and msgs, when not filtered).
func (t *Timeline) rowIndex(row int64) (int, bool) {
	if row == 0 {
		return 0, false
	}
	stored := t.all[:t.nStored]
	i := sort.Search(len(stored), func(i int) bool { return stored[i].Row >= row })
	return i, i < len(stored) && stored[i].Row == row
}

// replaceRow shows m in place of row i; only that row is bound again (when in view).
func (t *Timeline) replaceRow(i int, m session.Message) {
	t.all[i] = m
	t.rebound++
	t.list.RefreshItem(i)
}

// SetReadBy moves the read receipts: readBy maps event IDs to who read up to them
// (session.Session.TimelineReadBy). Only rows whose readers changed are bound again.
func (t *Timeline) SetReadBy(readBy map[id.EventID][]id.UserID) {
	for i := range t.all[:t.nStored] {
		m := &t.all[i]
		if by := readBy[m.EventID]; !slices.Equal(by, m.ReadBy) {
			m.ReadBy = by
			if t.query == "" {
				t.rebound++
				t.list.RefreshItem(i)
			}
		}
	}
	if t.query != "" {
		t.Set(t.all, false)
	}
}

// Rebound counts the rows replaced in place (ApplyRows, SetReadBy) since the timeline was made.
func (t *Timeline) Rebound() int { return t.rebound }
