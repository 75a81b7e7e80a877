package ui

import (
	"errors"
	"image"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// RoomFilter narrows the room list.
type RoomFilter struct {
	Text  string    // part of the name, topic or alias (case-insensitive)
	Kind  string    // "", "dm" or "rooms"
	Space id.RoomID // only rooms of this space
}

// Match tells whether the filter lets r through.
func (f RoomFilter) Match(r session.RoomSummary) bool {
	switch f.Kind {
	case "dm":
		if !r.IsDirect {
			return false
		}
	case "rooms":
		if r.IsDirect {
			return false
		}
	}
	if f.Space != "" && !slices.Contains(r.Spaces, f.Space) {
		return false
	}
	if f.Text == "" {
		return true
	}
	q := strings.ToLower(f.Text)
	return strings.Contains(strings.ToLower(r.Name), q) || strings.Contains(strings.ToLower(r.Topic), q) ||
		strings.Contains(strings.ToLower(r.Alias), q) || strings.Contains(strings.ToLower(string(r.ID)), q)
}

// RoomList is a virtualised list of room summaries (invites first, then by activity, as the session
// sorts them): avatar, name, the last message's preview, unread and mention badges, an encryption
// marker. Spaces are not listed; they are filters. Its methods must run on the Fyne UI goroutine.
type RoomList struct {
	all      []session.RoomSummary
	rooms    []session.RoomSummary // after the filter
	filter   RoomFilter
	selected id.RoomID
	list     *widget.List
	empty    *widget.Label
	view     *fyne.Container

	// OnSelected runs when the user picks a room.
	OnSelected func(id.RoomID)
	// OnScrolled runs when the user scrolls the list with the mouse wheel or touchpad.
	OnScrolled func()
	// Avatar returns a room's avatar picture if it is loaded (and starts loading it if not); nil
	// shows the initial.
	Avatar func(session.RoomSummary) image.Image
	// OnFirstShown runs once, when the list shows rooms for the first time.
	OnFirstShown func(n int)
	shown        bool
}

// NewRoomList makes a room list showing rooms.
func NewRoomList(rooms []session.RoomSummary) *RoomList {
	rl := &RoomList{empty: widget.NewLabel(T("no_rooms"))}
	rl.empty.Wrapping = fyne.TextWrapWord
	rl.list = widget.NewList(
		func() int { return len(rl.rooms) },
		newRoomRow, // roomlist_preview.go
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(rl.rooms) {
				return
			}
			r := rl.rooms[i]
			name, preview, enc, unread, av := rowParts(o)
			label := session.CleanName(r.Name) // remote text: no bidi overrides or control characters
			if r.Membership == "invite" {
				label = T("invite", label)
			} else if r.IsDirect {
				label = "👤 " + label
			}
			bold := r.NotifyCount > 0 || r.Membership == "invite"
			// Each SetText/Refresh re-shapes the text: only touch what changed.
			if name.Text != label || name.TextStyle.Bold != bold {
				name.TextStyle.Bold = bold
				name.SetText(label)
			}
			if line := previewLine(r.LastMessage); preview.Text != line || preview.Hidden != (line == "") {
				preview.Hidden = line == ""
				preview.SetText(line)
			}
			setRoomAvatar(av, r, rl.avatarOf(r))
			if enc.Hidden == r.Encrypted {
				enc.Hidden = !r.Encrypted
				enc.Refresh()
			}
			badge, imp := "", widget.MediumImportance
			switch {
			case r.HighlightCount > 0:
				badge, imp = "@ "+strconv.Itoa(r.NotifyCount), widget.DangerImportance
			case r.NotifyCount > 0:
				badge = strconv.Itoa(r.NotifyCount)
			}
			if unread.Text != badge || unread.Importance != imp {
				unread.Importance = imp
				unread.SetText(badge)
			}
		},
	)
	rl.list.OnSelected = func(i widget.ListItemID) {
		if i < len(rl.rooms) && rl.rooms[i].ID != rl.selected {
			rl.selected = rl.rooms[i].ID
			if rl.OnSelected != nil {
				rl.OnSelected(rl.selected)
			}
		}
	}
	rl.view = container.NewStack(rl.list, rl.empty, newScrollRelay(rl.list, func() { // activity.go
		if rl.OnScrolled != nil {
			rl.OnScrolled()
		}
	}))
	rl.Set(rooms)
	return rl
}

// View is the list's canvas object.
func (rl *RoomList) View() fyne.CanvasObject { return rl.view }

// Rooms is what the list shows now (after the filter).
func (rl *RoomList) Rooms() []session.RoomSummary { return rl.rooms }

// All is every room the list knows, spaces included.
func (rl *RoomList) All() []session.RoomSummary { return rl.all }

// Set replaces the rooms.
func (rl *RoomList) Set(rooms []session.RoomSummary) {
	rl.all = rooms
	rl.apply()
	if !rl.shown && len(rooms) > 0 {
		rl.shown = true
		if rl.OnFirstShown != nil {
			rl.OnFirstShown(len(rooms))
		}
	}
}

// SetFilter narrows the list.
func (rl *RoomList) SetFilter(f RoomFilter) {
	rl.filter = f
	rl.apply()
}

// Filter is the current filter.
func (rl *RoomList) Filter() RoomFilter { return rl.filter }

func (rl *RoomList) apply() {
	rl.rooms = rl.rooms[:0:0]
	for _, r := range rl.all {
		if !r.IsSpace && rl.filter.Match(r) {
			rl.rooms = append(rl.rooms, r)
		}
	}
	rl.empty.Hidden = len(rl.rooms) > 0
	if len(rl.all) > 0 {
		rl.empty.SetText(T("no_match"))
	} else {
		rl.empty.SetText(T("no_rooms"))
	}
	rl.markSelected()
	rl.view.Refresh() // refreshes the list and the empty-list label
}

// Select highlights a room (without calling OnSelected).
func (rl *RoomList) Select(roomID id.RoomID) {
	rl.selected = roomID
	rl.markSelected()
}

// Selected is the highlighted room.
func (rl *RoomList) Selected() id.RoomID { return rl.selected }

func (rl *RoomList) markSelected() {
	for i, r := range rl.rooms {
		if r.ID == rl.selected {
			rl.list.Select(i)
			rl.list.ScrollTo(i)
			return
		}
	}
	rl.list.UnselectAll()
}

// Neighbour is the room delta places below (or above, for negative delta) the selected one in the
// visible order, wrapping around; "" when the list is empty.
func (rl *RoomList) Neighbour(delta int) id.RoomID {
	n := len(rl.rooms)
	if n == 0 {
		return ""
	}
	cur := -1
	for i, r := range rl.rooms {
		if r.ID == rl.selected {
			cur = i
		}
	}
	if cur < 0 {
		if delta > 0 {
			return rl.rooms[0].ID
		}
		return rl.rooms[n-1].ID
	}
	return rl.rooms[((cur+delta)%n+n)%n].ID
}

// OpenErrorView explains why the account in dir could not be opened.
func OpenErrorView(dir string, err error) fyne.CanvasObject {
	var msg string
	switch {
	case errors.Is(err, session.ErrNotLoggedIn):
		msg = T("no_account", dir, dir)
	case errors.Is(err, session.ErrDataDirInUse):
		msg = T("data_dir_inuse", dir)
	default:
		msg = T("open_failed", err)
	}
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	return container.NewPadded(l)
}
