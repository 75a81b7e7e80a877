package ui

import (
	"context"
	"errors"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// RoomList is a virtualised list of room summaries: name, unread count and an encryption marker.
// Its methods must run on the Fyne UI goroutine.
type RoomList struct {
	rooms []session.RoomSummary
	list  *widget.List
	empty *widget.Label
	view  *fyne.Container
}

// NewRoomList makes a room list showing rooms.
func NewRoomList(rooms []session.RoomSummary) *RoomList {
	rl := &RoomList{empty: widget.NewLabel(T("no_rooms"))}
	rl.list = widget.NewList(
		func() int { return len(rl.rooms) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			enc := widget.NewLabel(T("encrypted"))
			enc.Importance = widget.LowImportance
			unread := widget.NewLabel("")
			unread.TextStyle.Bold = true
			return container.NewBorder(nil, nil, nil, container.NewHBox(enc, unread), name)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := rl.rooms[i]
			row := o.(*fyne.Container)
			name, right := row.Objects[0].(*widget.Label), row.Objects[1].(*fyne.Container)
			enc, unread := right.Objects[0].(*widget.Label), right.Objects[1].(*widget.Label)
			if r.Membership == "invite" {
				name.SetText(T("invite", r.Name))
			} else {
				name.SetText(r.Name)
			}
			enc.Hidden = !r.Encrypted
			unread.SetText("")
			if r.NotifyCount > 0 {
				unread.SetText(strconv.Itoa(r.NotifyCount))
			}
			right.Refresh()
		},
	)
	rl.view = container.NewStack(rl.list, rl.empty)
	rl.Set(rooms)
	return rl
}

// View is the list's canvas object.
func (rl *RoomList) View() fyne.CanvasObject { return rl.view }

// Rooms is what the list shows now.
func (rl *RoomList) Rooms() []session.RoomSummary { return rl.rooms }

// Set replaces the shown rooms.
func (rl *RoomList) Set(rooms []session.RoomSummary) {
	rl.rooms = rooms
	rl.empty.Hidden = len(rooms) > 0
	rl.view.Refresh() // refreshes the list and the empty-list label
}

// RoomSource is where the room list comes from; sessionSource adapts a session.
type RoomSource interface {
	Rooms(ctx context.Context) ([]session.RoomSummary, error)
	// Next blocks for the next batch of changes.
	Next(ctx context.Context) ([]session.Change, error)
}

// Follow loads the rooms, shows them, and reloads them after every batch of changes that concerns
// the room list. Loading runs on the calling goroutine; each batch reaches the widgets in one fyne.Do.
// It returns when ctx ends or src fails.
func Follow(ctx context.Context, src RoomSource, rl *RoomList) error {
	for first := true; ; first = false {
		if !first {
			batch, err := src.Next(ctx)
			if err != nil {
				return err
			}
			if !concernsRoomList(batch) {
				continue
			}
		}
		rooms, err := src.Rooms(ctx)
		if err != nil {
			return err
		}
		fyne.Do(func() { rl.Set(rooms) })
	}
}

func concernsRoomList(batch []session.Change) bool {
	for _, c := range batch {
		switch c.Kind {
		case session.ChangeTyping, session.ChangeSendState, session.ChangeSyncComplete:
		default:
			return true
		}
	}
	return false
}

type sessionSource struct {
	*session.Session
	sub *session.Subscription
}

func (s sessionSource) Next(ctx context.Context) ([]session.Change, error) { return s.sub.Next(ctx) }

// FollowSession runs Follow on the session's rooms and changes until ctx ends.
func FollowSession(ctx context.Context, s *session.Session, rl *RoomList) error {
	seq, err := s.LastSeq(ctx)
	if err != nil {
		return err
	}
	sub := s.Subscribe(seq)
	defer sub.Close()
	return Follow(ctx, sessionSource{s, sub}, rl)
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
