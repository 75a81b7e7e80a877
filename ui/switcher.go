package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// Switcher is the Ctrl+K room switcher: type part of a room's name, Up/Down to choose, Enter to open,
// Esc to close. Its methods run on the UI goroutine.
type Switcher struct {
	entry   *switcherEntry
	list    *widget.List
	rooms   []session.RoomSummary
	matches []session.RoomSummary
	cur     int
	pop     *widget.PopUp
	onPick  func(id.RoomID)
}

// ShowSwitcher opens the switcher over canvas c with rooms; onPick gets the chosen room.
func ShowSwitcher(c fyne.Canvas, rooms []session.RoomSummary, onPick func(id.RoomID)) *Switcher {
	s := &Switcher{onPick: onPick}
	for _, r := range rooms {
		if !r.IsSpace {
			s.rooms = append(s.rooms, r)
		}
	}
	s.entry = &switcherEntry{s: s}
	s.entry.ExtendBaseWidget(s.entry)
	s.entry.SetPlaceHolder(T("switcher.placeholder"))
	s.list = widget.NewList(func() int { return len(s.matches) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(s.matches) {
				o.(*widget.Label).SetText(s.matches[i].Name)
			}
		})
	s.list.OnSelected = func(i widget.ListItemID) { s.cur = i }
	s.entry.OnChanged = func(string) { s.filter() }
	s.entry.OnSubmitted = func(string) { s.pick() }
	title := widget.NewLabel(T("switcher.title"))
	title.TextStyle.Bold = true
	box := container.NewBorder(container.NewVBox(title, s.entry), nil, nil, nil, s.list)
	s.pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(420, 360), box), c)
	s.filter()
	s.pop.Show()
	c.Focus(s.entry)
	return s
}

// Matches is what the switcher offers now.
func (s *Switcher) Matches() []session.RoomSummary { return s.matches }

// Entry is the search field.
func (s *Switcher) Entry() *widget.Entry { return &s.entry.Entry }

// Close hides the switcher.
func (s *Switcher) Close() { s.pop.Hide() }

func (s *Switcher) filter() {
	q := strings.ToLower(strings.TrimSpace(s.entry.Text))
	s.matches = s.matches[:0:0]
	var later []session.RoomSummary
	for _, r := range s.rooms {
		name := strings.ToLower(r.Name)
		switch {
		case q == "" || strings.HasPrefix(name, q):
			s.matches = append(s.matches, r)
		case strings.Contains(name, q) || strings.Contains(strings.ToLower(r.Alias), q):
			later = append(later, r)
		}
	}
	s.matches = append(s.matches, later...)
	s.cur = 0
	s.list.Refresh()
	if len(s.matches) > 0 {
		s.list.Select(0)
	}
}

func (s *Switcher) move(d int) {
	if len(s.matches) == 0 {
		return
	}
	s.cur = (s.cur + d + len(s.matches)) % len(s.matches)
	s.list.Select(s.cur)
	s.list.ScrollTo(s.cur)
}

func (s *Switcher) pick() {
	if s.cur >= len(s.matches) {
		return
	}
	s.Close()
	s.onPick(s.matches[s.cur].ID)
}

type switcherEntry struct {
	widget.Entry
	s *Switcher
}

// TypedKey moves through the matches with Up/Down and closes on Esc.
func (e *switcherEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyUp:
		e.s.move(-1)
	case fyne.KeyDown:
		e.s.move(1)
	case fyne.KeyEscape:
		e.s.Close()
	default:
		e.Entry.TypedKey(k)
	}
}
