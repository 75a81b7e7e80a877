package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// moveLikeDesktop does what Fyne's desktop (GLFW) driver does on a mouse movement before it
// picks the hovered object: it asks every visible object under pos that is desktop.Cursorable for
// its cursor, also those covered by others (internal/driver.FindObjectAtPositionMatching with the
// matcher of processMouseMoved; only the top overlay when there is one). The test driver's
// MoveMouse does not.
func moveLikeDesktop(c fyne.Canvas, pos fyne.Position) {
	var walk func(o fyne.CanvasObject, origin fyne.Position)
	walk = func(o fyne.CanvasObject, origin fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		p, s := origin.Add(o.Position()), o.Size()
		if pos.X < p.X || pos.Y < p.Y || pos.X >= p.X+s.Width || pos.Y >= p.Y+s.Height {
			return
		}
		if cur, ok := o.(desktop.Cursorable); ok {
			cur.Cursor()
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, child := range v.Objects {
				walk(child, p)
			}
		case fyne.Widget:
			for _, child := range test.WidgetRenderer(v).Objects() {
				walk(child, p)
			}
		}
	}
	if top := c.Overlays().Top(); top != nil { // the driver looks at the top overlay only
		walk(top, fyne.Position{})
		return
	}
	walk(c.Content(), fyne.Position{})
}

// Mouse work counts as input for the idle lock, not only keys: moving over any control (the
// desktop driver's cursor query), hovering and clicking free space, and scrolling a list, which
// still scrolls. Controls keep their clicks. Without any of it the window locks.
func TestAppLockIdleMouseAndScroll(t *testing.T) {
	f := newAppLockFixture(t)
	var l *AppLock
	touch := func() {
		if l != nil {
			l.Touch()
		}
	}
	tapped := false
	button := widget.NewButton("Senden", func() { tapped = true })
	note := &f.secret // free space: a label
	list := widget.NewList(func() int { return 200 }, func() fyne.CanvasObject { return widget.NewLabel("Zeile") },
		func(widget.ListItemID, fyne.CanvasObject) {})
	f.w.SetContent(container.NewStack(newActivityLayer(touch),
		container.NewBorder(button, note, nil, nil, container.NewStack(list, newScrollRelay(list, touch)))))
	f.w.Resize(fyne.NewSize(400, 400))
	l = f.setUp(t, 5*time.Minute, 0)
	c := f.w.Canvas()
	at := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
	}

	for _, step := range []struct {
		what string
		act  func()
	}{
		{"moving the mouse over a button", func() { moveLikeDesktop(c, at(button)) }},
		{"moving the mouse over the list", func() { moveLikeDesktop(c, at(list)) }},
		{"hovering free space", func() { test.MoveMouse(c, at(note)) }},
		{"clicking free space", func() { test.TapCanvas(c, at(note)) }},
		{"scrolling the list", func() { test.Scroll(c, at(list), 0, -120) }},
	} {
		f.now = f.now.Add(4 * time.Minute)
		step.act()
		f.now = f.now.Add(2 * time.Minute) // 6 minutes after the last input but for the step
		l.CheckIdle()
		if l.IsLocked() {
			t.Fatalf("%s did not count as input", step.what)
		}
	}
	if off := list.GetScrollOffset(); off != 120 {
		t.Errorf("the list scrolled to %v, want 120", off)
	}
	test.TapCanvas(c, at(button))
	if !tapped {
		t.Error("the activity layer took the button's click")
	}
	f.now = f.now.Add(5 * time.Minute)
	l.CheckIdle()
	if !l.IsLocked() {
		t.Fatal("not locked after the idle time without input")
	}
}

// Mouse work over the settings dialog counts too (SettingsHooks.Activity): the main view's
// activity layer does not see dialogs.
func TestSettingsDialogMouseCountsAsActivity(t *testing.T) {
	a := test.NewTempApp(t)
	SetLang("de")
	w := test.NewWindow(widget.NewLabel("Hauptansicht"))
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(900, 700))
	n := 0
	sv := newSettingsView(context.Background(), w, nil, NewPrefs(a.Preferences()), SettingsHooks{Activity: func() { n++ }}, -1)
	sv.show()
	moveLikeDesktop(w.Canvas(), fyne.NewPos(450, 350))
	if n == 0 {
		t.Fatal("moving the mouse over the settings dialog did not count as input")
	}
}

// Typing into a focused entry counts (Fyne gives the canvas no key events then): the idle check
// sees the entry change, in the main view as in a dialog.
func TestAppLockIdleTypingInFocusedEntry(t *testing.T) {
	f := newAppLockFixture(t)
	entry := widget.NewEntry()
	f.w.SetContent(container.NewVBox(&f.secret, entry))
	l := f.setUp(t, 5*time.Minute, 0)
	f.w.Canvas().Focus(entry)
	l.CheckIdle()
	for i := range 3 {
		f.now = f.now.Add(4 * time.Minute)
		test.Type(entry, "Lage")
		f.now = f.now.Add(2 * time.Minute)
		l.CheckIdle()
		if l.IsLocked() {
			t.Fatalf("round %d: typing into the focused entry did not count as input", i)
		}
	}
	f.now = f.now.Add(5 * time.Minute)
	l.CheckIdle()
	if !l.IsLocked() {
		t.Fatal("a focused entry without typing kept the window open")
	}
}
