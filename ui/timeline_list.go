package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rowList is the timeline's virtualised list. Unlike widget.List it takes row heights from the
// timeline (a slice, not a map), so a row measured taller than its estimate only moves the rows
// below it instead of refreshing the whole list (widget.List builds a new template and binds
// every visible row again on each height change), and rows put in front keep the rows in view
// bound (Prepended) instead of starting a new list. Only the rows in view exist as widgets; the
// ones scrolled out go back to a pool, so the widgets are bounded by the view, not the room.
type rowList struct {
	widget.BaseWidget
	length func() int
	create func() fyne.CanvasObject
	update func(i int, o fyne.CanvasObject)
	height func(i int) float32 // a row's measured height, or its estimate

	// OnSelected runs when a row is tapped (or Select is called).
	OnSelected func(i int)

	scroll   *container.Scroll
	content  *rowListContent
	visible  []*rowItem // the rows in view, ascending ids
	pool     []*rowItem
	seps     []*widget.Separator
	selected int
	placing  bool    // place runs: height changes are picked up by it
	again    bool    // the offset moved while place ran (a row bound scrolled): place again
	stale    bool    // every row in view must be bound again (Refresh, Reset)
	binds    int     // rows bound since the list was made (tests, benchmarks)
	sum      float32 // total's cache for sumN rows, -1 when a height changed
	sumN     int
}

func newRowList(length func() int, create func() fyne.CanvasObject, update func(int, fyne.CanvasObject), height func(int) float32) *rowList {
	l := &rowList{length: length, create: create, update: update, height: height, selected: -1, sum: -1}
	l.content = &rowListContent{l: l}
	l.content.ExtendBaseWidget(l.content)
	l.scroll = container.NewVScroll(l.content)
	l.scroll.OnScrolled = func(fyne.Position) { l.place() }
	l.ExtendBaseWidget(l)
	return l
}

func (l *rowList) CreateRenderer() fyne.WidgetRenderer { return &rowListRenderer{l: l} }

// Refresh binds every row in view again (their data changed: thumbnails, voice state, theme).
func (l *rowList) Refresh() {
	l.sum = -1
	l.stale = true
	l.place()
	l.scroll.Refresh()
}

// Reset forgets the selection and the offset; the next scroll binds the rows in view again (the
// rows behind every index changed: a new set of messages).
func (l *rowList) Reset() {
	l.selected = -1
	l.stale = true
	l.sum = -1
	l.scroll.Offset.Y = 0
}

// Prepended shifts the rows in view by k (rows were put in front) and keeps them where they are
// on screen: the offset grows by the height of the k new rows. The rows stay bound; only the one
// that was first is bound again (its day line depends on the row before it).
func (l *rowList) Prepended(k int) {
	if k <= 0 {
		return
	}
	var add float32
	pad := theme.Padding()
	for i := range k {
		add += l.height(i) + pad
	}
	l.sum = -1
	for _, it := range l.visible {
		it.id += k
	}
	if l.selected >= 0 {
		l.selected += k
	}
	l.setOffset(l.scroll.Offset.Y + add)
	l.RefreshItem(k)
}

// SetItemHeight tells that row i's height changed; the rows below it move.
func (l *rowList) SetItemHeight(int, float32) {
	l.sum = -1
	if !l.placing {
		l.place()
	}
}

// RefreshItem binds row i again if it is in view.
func (l *rowList) RefreshItem(i int) {
	for _, it := range l.visible {
		if it.id == i {
			l.bind(it)
			if !l.placing {
				l.place()
			}
			return
		}
	}
}

func (l *rowList) bind(it *rowItem) {
	l.binds++
	it.setSelected(it.id == l.selected)
	l.update(it.id, it.child)
}

// total is the content height: every row with the padding between rows. It is kept until a
// height or the rows change (SetItemHeight, Prepended, Reset, Refresh): a wheel step reads it
// several times, and summing 10,000 heights each time was half of a step's CPU time.
func (l *rowList) total() float32 {
	n := l.length()
	if n == 0 {
		return 0
	}
	if l.sum < 0 || l.sumN != n {
		var h float32
		for i := range n {
			h += l.height(i)
		}
		l.sum, l.sumN = h+float32(n-1)*theme.Padding(), n
	}
	return l.sum
}

// rowTop is where row i starts.
func (l *rowList) rowTop(i int) float32 {
	var y float32
	pad := theme.Padding()
	for j := range i {
		y += l.height(j) + pad
	}
	return y
}

// maxOffset is the largest offset: the last row at the bottom of the view.
func (l *rowList) maxOffset() float32 {
	return max(l.total()-l.scroll.Size().Height, 0)
}

func (l *rowList) setOffset(off float32) {
	off = min(max(off, 0), l.maxOffset())
	l.content.Resize(fyne.NewSize(l.scroll.Size().Width, max(l.total(), l.scroll.Size().Height)))
	l.scroll.Offset.Y = off
	l.place()
	l.scroll.Refresh()
}

// ScrollToOffset shows the list from offset down.
func (l *rowList) ScrollToOffset(offset float32) { l.setOffset(offset) }

// GetScrollOffset is the current offset.
func (l *rowList) GetScrollOffset() float32 { return l.scroll.Offset.Y }

// ScrollToTop shows the first row.
func (l *rowList) ScrollToTop() { l.setOffset(0) }

// ScrollToBottom shows the last row. Rows measured on the way may change the content's height,
// so it settles on the bottom in a few steps.
func (l *rowList) ScrollToBottom() {
	for range 4 {
		before := l.total()
		l.setOffset(l.maxOffset())
		if l.total() == before {
			return
		}
	}
}

// ScrollTo shows row i: at the top when it is above the view, at the bottom when below.
func (l *rowList) ScrollTo(i int) {
	if i < 0 || i >= l.length() {
		return
	}
	top := l.rowTop(i)
	off := l.scroll.Offset.Y
	switch vh := l.scroll.Size().Height; {
	case top < off:
		l.setOffset(top)
	case top+l.height(i) > off+vh:
		l.setOffset(top + l.height(i) - vh)
	}
}

// Select highlights row i, scrolls it into view and reports it to OnSelected.
func (l *rowList) Select(i int) {
	if i < 0 || i >= l.length() || i == l.selected {
		return
	}
	l.selected = i
	l.ScrollTo(i)
	for _, it := range l.visible {
		it.setSelected(it.id == i)
	}
	if l.OnSelected != nil {
		l.OnSelected(i)
	}
}

// UnselectAll removes the highlight.
func (l *rowList) UnselectAll() {
	l.selected = -1
	for _, it := range l.visible {
		it.setSelected(false)
	}
}

// place lays out the rows in view: rows still in view keep their widgets (bound again only when
// stale), rows coming into view get one from the pool and are bound, then measured.
func (l *rowList) place() {
	if l.placing {
		l.again = true
		return
	}
	l.placing = true
	defer func() { l.placing = false }()
	for range 3 {
		l.again = false
		l.placeOnce()
		if !l.again {
			return
		}
	}
}

func (l *rowList) placeOnce() {
	size := l.scroll.Size()
	n := l.length()
	pad := theme.Padding()
	if size.Height <= 0 {
		return
	}
	off := min(l.scroll.Offset.Y, l.maxOffset())
	l.scroll.Offset.Y = off
	// The first row reaching into the view.
	i, y := 0, float32(0)
	for i < n {
		h := l.height(i)
		if y+h+pad > off {
			break
		}
		y += h + pad
		i++
	}
	old := l.visible
	var vis []*rowItem
	stale := l.stale
	l.stale = false
	for ; i < n && y < off+size.Height; i++ {
		it := takeRow(&old, i)
		if it == nil {
			it = l.get()
			it.id = i
			l.bind(it)
		} else if stale {
			l.bind(it)
		}
		h := l.height(i)
		it.Move(fyne.NewPos(0, y))
		it.Resize(fyne.NewSize(size.Width, h))
		vis = append(vis, it)
		y += h + pad
	}
	for _, it := range old {
		if it != nil {
			l.pool = append(l.pool, it)
		}
	}
	l.visible = vis
	l.placeSeparators(size.Width)
	l.content.Resize(fyne.NewSize(size.Width, max(l.total(), size.Height)))
	canvas.Refresh(l.content)
}

func (l *rowList) placeSeparators(width float32) {
	for len(l.seps) < len(l.visible) {
		l.seps = append(l.seps, widget.NewSeparator())
	}
	l.seps = l.seps[:max(len(l.visible), 0)]
	th := theme.SeparatorThicknessSize()
	for k, it := range l.visible {
		s := l.seps[k]
		if k == 0 {
			s.Hide()
			continue
		}
		s.Show()
		s.Move(fyne.NewPos(0, it.Position().Y-(theme.Padding()+th)/2))
		s.Resize(fyne.NewSize(width, th))
	}
}

// takeRow removes the item showing row i from old (ascending ids) and returns it, nil if none.
func takeRow(old *[]*rowItem, i int) *rowItem {
	for k, it := range *old {
		if it != nil && it.id == i {
			(*old)[k] = nil
			return it
		}
	}
	return nil
}

func (l *rowList) get() *rowItem {
	if n := len(l.pool); n > 0 {
		it := l.pool[n-1]
		l.pool = l.pool[:n-1]
		return it
	}
	it := &rowItem{l: l, child: l.create(), bg: canvas.NewRectangle(theme.Color(theme.ColorNameSelection))}
	it.bg.Hide()
	it.ExtendBaseWidget(it)
	return it
}

// rowListRenderer lays the scroller over the list.
type rowListRenderer struct{ l *rowList }

func (r *rowListRenderer) Layout(size fyne.Size) {
	r.l.scroll.Resize(size)
	r.l.place()
}
func (r *rowListRenderer) MinSize() fyne.Size           { return r.l.scroll.MinSize() }
func (r *rowListRenderer) Refresh()                     { r.l.place() }
func (r *rowListRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.l.scroll} }
func (r *rowListRenderer) Destroy()                     {}

// rowListContent is what the scroller moves: the rows in view and their separators, at their
// positions in the whole list. Its minimum height is the whole list's.
type rowListContent struct {
	widget.BaseWidget
	l *rowList
}

func (c *rowListContent) MinSize() fyne.Size { return fyne.NewSize(0, c.l.total()) }

func (c *rowListContent) CreateRenderer() fyne.WidgetRenderer { return &rowContentRenderer{c: c} }

type rowContentRenderer struct{ c *rowListContent }

func (r *rowContentRenderer) Layout(fyne.Size)   {}
func (r *rowContentRenderer) MinSize() fyne.Size { return r.c.MinSize() }
func (r *rowContentRenderer) Refresh()           {}
func (r *rowContentRenderer) Destroy()           {}
func (r *rowContentRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, 2*len(r.c.l.visible))
	for _, it := range r.c.l.visible {
		objs = append(objs, it)
	}
	for _, s := range r.c.l.seps {
		objs = append(objs, s)
	}
	return objs
}

// rowItem is one row in view: the timeline's row widget over a highlight for selection and hover.
type rowItem struct {
	widget.BaseWidget
	l        *rowList
	id       int
	child    fyne.CanvasObject
	bg       *canvas.Rectangle
	selected bool
	hovered  bool
}

var (
	_ fyne.Tappable     = (*rowItem)(nil)
	_ desktop.Hoverable = (*rowItem)(nil)
)

func (it *rowItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(it.bg, it.child))
}

func (it *rowItem) Tapped(*fyne.PointEvent) { it.l.Select(it.id) }

func (it *rowItem) MouseIn(*desktop.MouseEvent) { it.hovered = true; it.paint() }

func (it *rowItem) MouseMoved(*desktop.MouseEvent) {}

func (it *rowItem) MouseOut() { it.hovered = false; it.paint() }

func (it *rowItem) setSelected(sel bool) {
	if it.selected != sel {
		it.selected = sel
		it.paint()
	}
}

func (it *rowItem) paint() {
	switch {
	case it.selected:
		it.bg.FillColor = theme.Color(theme.ColorNameSelection)
	case it.hovered:
		it.bg.FillColor = theme.Color(theme.ColorNameHover)
	default:
		it.bg.Hide()
		return
	}
	it.bg.Show()
	it.bg.Refresh()
}
