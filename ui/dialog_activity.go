package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"fyne.io/fyne/v2/widget"
)

// Fyne's desktop driver routes the mouse to the top overlay only, so the main view's activity
// layer (activity.go) does not see mouse work over an open dialog, and the app lock would lock
// while the user works in one. The shell therefore hands dialogs a window whose overlay stack
// lays an activity layer under every overlay added to it: dialogs, pop-ups and menus shown on
// that window count as input in one place, whoever builds them.

// activityWindow is a window whose canvas wraps each new overlay with an activity layer.
type activityWindow struct {
	fyne.Window
	c *activityCanvas
}

var _ driver.NativeWindow = (*activityWindow)(nil)

// withDialogActivity returns w with overlays that tell touch of mouse work over them.
func withDialogActivity(w fyne.Window, touch func()) fyne.Window {
	if aw, ok := w.(*activityWindow); ok {
		w = aw.Window
	}
	c := w.Canvas()
	return &activityWindow{Window: w, c: &activityCanvas{Canvas: c,
		s: &activityOverlays{c: c, touch: touch, wrapped: map[fyne.CanvasObject]*fyne.Container{}}}}
}

func (w *activityWindow) Canvas() fyne.Canvas { return w.c }

// RunNative runs f in the native context of the wrapped window, if it has one (window attention).
func (w *activityWindow) RunNative(f func(context any)) {
	if nw, ok := w.Window.(driver.NativeWindow); ok {
		nw.RunNative(f)
	}
}

// activityCanvas is the window's canvas with the wrapping overlay stack.
type activityCanvas struct {
	fyne.Canvas
	s *activityOverlays
}

func (c *activityCanvas) Overlays() fyne.OverlayStack { return c.s }

// activityOverlays adds each overlay to the real stack inside a container that has an activity
// layer under it, and removes that container when the overlay is removed.
type activityOverlays struct {
	c     fyne.Canvas // the real canvas
	touch func()

	mu      sync.Mutex
	wrapped map[fyne.CanvasObject]*fyne.Container
}

func (s *activityOverlays) Add(o fyne.CanvasObject) {
	if o == nil {
		return
	}
	wrap := &fyne.Container{Layout: overlayLayout{}, Objects: []fyne.CanvasObject{newActivityLayer(s.touch), o}}
	wrap.Resize(s.c.Size())
	s.mu.Lock()
	for k, v := range s.wrapped { // forget those removed from the real stack directly (app lock)
		if !containsObject(s.c.Overlays().List(), v) {
			delete(s.wrapped, k)
		}
	}
	s.wrapped[o] = wrap
	s.mu.Unlock()
	s.c.Overlays().Add(wrap)
}

func (s *activityOverlays) Remove(o fyne.CanvasObject) {
	s.mu.Lock()
	wrap, ok := s.wrapped[o]
	delete(s.wrapped, o)
	s.mu.Unlock()
	if ok {
		s.c.Overlays().Remove(wrap)
		return
	}
	s.c.Overlays().Remove(o)
}

func (s *activityOverlays) List() []fyne.CanvasObject { return s.c.Overlays().List() }
func (s *activityOverlays) Top() fyne.CanvasObject    { return s.c.Overlays().Top() }

func containsObject(list []fyne.CanvasObject, o fyne.CanvasObject) bool {
	for _, x := range list {
		if x == o {
			return true
		}
	}
	return false
}

// overlayLayout gives the activity layer the whole canvas and leaves the overlay's size to the
// overlay: a PopUp takes the canvas size itself on Refresh, and its Resize would set the size of
// its content (the driver refreshes PopUps on a canvas resize the same way).
type overlayLayout struct{}

func (overlayLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		switch v := o.(type) {
		case *activityLayer:
			v.Move(fyne.Position{})
			v.Resize(size)
		case *widget.PopUp:
			v.Refresh()
		default:
			o.Resize(size)
		}
	}
}

func (overlayLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }
