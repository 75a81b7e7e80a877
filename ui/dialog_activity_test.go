package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// findButton finds the visible button with the text in o's tree (renderers included).
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if o == nil || !o.Visible() {
		return nil
	}
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	var children []fyne.CanvasObject
	switch v := o.(type) {
	case *fyne.Container:
		children = v.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(v).Objects()
	}
	for _, c := range children {
		if b := findButton(c, text); b != nil {
			return b
		}
	}
	return nil
}

// Mouse work over any dialog counts as input for the idle lock (dialog_activity.go): the desktop
// driver asks only the top overlay, which the main view's activity layer is not part of. With the
// members dialog, a form like the room settings' or a confirmation open, moving the mouse keeps
// the window open; the dialogs keep their clicks and close as before; without input the window
// locks (and the dialog is closed).
func TestAppLockIdleMouseOverDialogs(t *testing.T) {
	f := newAppLockFixture(t)
	f.w.Resize(fyne.NewSize(900, 700))
	var l *AppLock
	dw := withDialogActivity(f.w, func() {
		if l != nil {
			l.Touch()
		}
	})
	l = f.setUp(t, 5*time.Minute, 0)
	c := f.w.Canvas()
	middle := fyne.NewPos(450, 350)

	confirmed := false
	for _, d := range []struct {
		name string
		show func() (hide func())
	}{
		{"members", func() func() {
			mv := newMembersView(context.Background(), dw, nil, "!raum:bos.test")
			mv.dlg.Show()
			return mv.dlg.Hide
		}},
		{"room settings form", func() func() {
			items := []*widget.FormItem{widget.NewFormItem("Name", widget.NewEntry())}
			fd := dialog.NewForm("Raumeinstellungen", "Speichern", "Abbrechen", items, func(bool) {}, dw)
			fd.Resize(fyne.NewSize(500, 300))
			fd.Show()
			return fd.Hide
		}},
		{"confirmation", func() func() {
			cd := dialog.NewConfirm("Raum verlassen", "Wirklich?", func(ok bool) { confirmed = ok }, dw)
			cd.SetConfirmText("Verlassen")
			cd.Show()
			return func() {
				b := findButton(c.Overlays().Top(), "Verlassen")
				if b == nil {
					t.Fatal("no confirm button in the dialog")
				}
				test.TapCanvas(c, fyne.CurrentApp().Driver().AbsolutePositionForObject(b).Add(fyne.NewPos(5, 5)))
			}
		}},
	} {
		hide := d.show()
		if c.Overlays().Top() == nil {
			t.Fatalf("%s: no overlay", d.name)
		}
		for range 3 {
			f.now = f.now.Add(4 * time.Minute)
			moveLikeDesktop(c, middle)
			f.now = f.now.Add(2 * time.Minute) // 6 minutes after the last input but for the move
			l.CheckIdle()
			if l.IsLocked() {
				t.Fatalf("moving the mouse over the %s dialog did not count as input", d.name)
			}
		}
		hide()
		if top := c.Overlays().Top(); top != nil {
			t.Fatalf("%s: an overlay stayed after the dialog closed: %T", d.name, top)
		}
	}
	if !confirmed {
		t.Error("the confirmation dialog's button did not get its click")
	}

	mv := newMembersView(context.Background(), dw, nil, "!raum:bos.test")
	mv.dlg.Show()
	f.now = f.now.Add(5 * time.Minute)
	l.CheckIdle()
	if !l.IsLocked() {
		t.Fatal("an open dialog without input kept the window open")
	}
	if top := c.Overlays().Top(); top != nil {
		t.Errorf("the dialog stayed over the lock screen: %T", top)
	}
}
