package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// activityLayer is a transparent widget that lies under the main view (the bottom of a Stack)
// and tells of the user's mouse, so that the app lock's idle time counts mouse work as input,
// not only keys. Fyne has no window-wide mouse hook, but its desktop driver asks every object
// under the pointer that is desktop.Cursorable for its cursor on each mouse movement, also the
// ones covered by others: Cursor reports the movement and returns the default cursor (objects on
// top still decide the cursor shown). Where nothing else takes them, the layer gets the hover,
// click and scroll events itself; the lists' scroll events reach the scroll relays over them.
type activityLayer struct {
	widget.BaseWidget
	touch func()
}

var (
	_ desktop.Cursorable = (*activityLayer)(nil)
	_ desktop.Hoverable  = (*activityLayer)(nil)
	_ desktop.Mouseable  = (*activityLayer)(nil)
	_ fyne.Tappable      = (*activityLayer)(nil)
	_ fyne.Scrollable    = (*activityLayer)(nil)
)

func newActivityLayer(touch func()) *activityLayer {
	l := &activityLayer{touch: touch}
	l.ExtendBaseWidget(l)
	return l
}

func (l *activityLayer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// Cursor is asked on every mouse movement over the window (see the type's comment).
func (l *activityLayer) Cursor() desktop.Cursor {
	l.touch()
	return desktop.DefaultCursor
}

func (l *activityLayer) MouseIn(*desktop.MouseEvent)    { l.touch() }
func (l *activityLayer) MouseMoved(*desktop.MouseEvent) { l.touch() }
func (l *activityLayer) MouseOut()                      {}
func (l *activityLayer) MouseDown(*desktop.MouseEvent)  { l.touch() }
func (l *activityLayer) MouseUp(*desktop.MouseEvent)    { l.touch() }
func (l *activityLayer) Tapped(*fyne.PointEvent)        { l.touch() }
func (l *activityLayer) Scrolled(*fyne.ScrollEvent)     { l.touch() }

// scrollRelay lies over a list (the top of a Stack) and takes only its scroll events: it tells
// of them (the app lock's idle time) and scrolls the list as the list's own scroller would.
// Being no Hoverable, Tappable, Draggable or Cursorable, it lets everything else through to the
// list. (Watching the list's offset instead would count the timeline's own scrolling to new
// messages as input, and a busy room would never lock.)
type scrollRelay struct {
	widget.BaseWidget
	list     offsetScroller
	scrolled func() // may be nil
}

// offsetScroller is a list the relay scrolls (widget.List, the timeline's rowList).
type offsetScroller interface {
	ScrollToOffset(float32)
	GetScrollOffset() float32
}

var _ fyne.Scrollable = (*scrollRelay)(nil)

func newScrollRelay(list offsetScroller, scrolled func()) *scrollRelay {
	r := &scrollRelay{list: list, scrolled: scrolled}
	r.ExtendBaseWidget(r)
	return r
}

func (r *scrollRelay) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// Scrolled moves the list by the wheel's vertical delta (a horizontal one on a vertical list, as
// Fyne's scroller does), then reports the scroll.
func (r *scrollRelay) Scrolled(ev *fyne.ScrollEvent) {
	d := ev.Scrolled.DY
	if d == 0 {
		d = ev.Scrolled.DX
	}
	r.list.ScrollToOffset(max(r.list.GetScrollOffset()-d, 0))
	if r.scrolled != nil {
		r.scrolled()
	}
}
