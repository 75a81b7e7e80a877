package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// findBar is the Ctrl+F search in the shown room: it narrows the timeline to the loaded messages
// that contain the text (decrypted messages included; the server cannot search encrypted rooms).
type findBar struct {
	entry *findEntry
	count *widget.Label
	view  *fyne.Container
	tl    *Timeline
}

func newFindBar(tl *Timeline, onClose func()) *findBar {
	f := &findBar{count: widget.NewLabel(""), tl: tl}
	f.entry = &findEntry{onEsc: onClose}
	f.entry.ExtendBaseWidget(f.entry)
	f.entry.SetPlaceHolder(T("find.placeholder"))
	f.entry.OnChanged = func(q string) {
		n := tl.SetFilter(q)
		if q == "" {
			f.count.SetText("")
		} else {
			f.count.SetText(T("find.count", n))
		}
	}
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), onClose)
	f.view = container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), container.NewHBox(f.count, closeBtn), f.entry)
	f.view.Hide()
	return f
}

// Show opens the bar.
func (f *findBar) Show() { f.view.Show() }

// Hide closes the bar and shows all messages again.
func (f *findBar) Hide() {
	f.entry.SetText("")
	f.view.Hide()
}

type findEntry struct {
	widget.Entry
	onEsc func()
}

// TypedKey closes the bar on Esc.
func (e *findEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		e.onEsc()
		return
	}
	e.Entry.TypedKey(k)
}
