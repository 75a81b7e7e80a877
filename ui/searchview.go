package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// searchLimit is the number of hits the search view shows at most.
const searchLimit = 200

// SearchView is the Ctrl+Shift+F search across all rooms (encrypted history included; the engine
// searches its local index, so it works offline): type words, Enter searches, a click on a hit
// opens its room at the message, Esc closes. Its methods run on the UI goroutine.
type SearchView struct {
	entry  *searchEntry
	status *widget.Label
	list   *widget.List
	hits   []session.SearchHit
	pop    *widget.PopUp
	seq    int

	roomName func(string) string
	onSearch func(text string, done func([]session.SearchHit, error))
	onPick   func(session.SearchHit)
}

// showSearchView opens the view over canvas c. onSearch runs the search off the UI goroutine and
// calls done on it; onPick gets the chosen hit.
func showSearchView(c fyne.Canvas, roomName func(string) string, onSearch func(string, func([]session.SearchHit, error)),
	onPick func(session.SearchHit)) *SearchView {
	v := &SearchView{roomName: roomName, onSearch: onSearch, onPick: onPick, status: widget.NewLabel("")}
	v.entry = &searchEntry{onEsc: v.Close}
	v.entry.ExtendBaseWidget(v.entry)
	v.entry.SetPlaceHolder(T("search.placeholder"))
	v.entry.OnSubmitted = func(string) { v.run() }
	v.status.Wrapping = fyne.TextWrapWord
	v.list = widget.NewList(func() int { return len(v.hits) },
		func() fyne.CanvasObject {
			head := widget.NewLabel("")
			head.TextStyle.Bold = true
			head.Truncation = fyne.TextTruncateEllipsis
			body := widget.NewLabel("")
			body.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(head, body)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(v.hits) {
				return
			}
			h := v.hits[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(v.headLine(h))
			box.Objects[1].(*widget.Label).SetText(firstLine(h.Body, 200))
		})
	v.list.OnSelected = func(i widget.ListItemID) { v.Pick(i) }
	title := widget.NewLabel(T("search.title"))
	title.TextStyle.Bold = true
	box := container.NewBorder(container.NewVBox(title, v.entry, v.status), nil, nil, nil, v.list)
	v.pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(640, 480), box), c)
	v.pop.Show()
	c.Focus(v.entry)
	return v
}

func (v *SearchView) headLine(h session.SearchHit) string {
	ts := time.UnixMilli(h.TS).Local().Format("02.01.2006 15:04")
	return v.roomName(h.RoomID) + " · " + h.Sender + " · " + ts
}

// Entry is the search field.
func (v *SearchView) Entry() *widget.Entry { return &v.entry.Entry }

// Hits are the results shown.
func (v *SearchView) Hits() []session.SearchHit { return v.hits }

// Status is the line above the results (count, "no hits", errors).
func (v *SearchView) Status() string { return v.status.Text }

// Pick opens hit i (as a click does).
func (v *SearchView) Pick(i int) {
	if i < 0 || i >= len(v.hits) {
		return
	}
	h := v.hits[i]
	v.Close()
	v.onPick(h)
}

// Close hides the view.
func (v *SearchView) Close() { v.pop.Hide() }

func (v *SearchView) run() {
	text := strings.TrimSpace(v.entry.Text)
	v.seq++
	seq := v.seq
	v.status.SetText(T("search.running"))
	v.onSearch(text, func(hits []session.SearchHit, err error) {
		if seq != v.seq {
			return // a newer search runs
		}
		v.list.UnselectAll()
		v.hits = nil
		switch {
		case errors.Is(err, session.ErrEmptySearch):
			v.status.SetText(T("search.empty"))
		case err != nil:
			v.status.SetText(T("search.failed", err))
		case len(hits) == 0:
			v.status.SetText(T("search.none"))
		default:
			v.hits = hits
			v.status.SetText(T("search.count", len(hits)))
		}
		v.list.Refresh()
		v.list.ScrollToTop()
		Trace("search_shown hits=%d", len(v.hits))
	})
}

type searchEntry struct {
	widget.Entry
	onEsc func()
}

// TypedKey closes the view on Esc.
func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		e.onEsc()
		return
	}
	e.Entry.TypedKey(k)
}

// OpenSearchView shows the search across all rooms (Ctrl+Shift+F).
func (a *App) OpenSearchView() {
	if a.searchView != nil {
		a.searchView.Close()
	}
	a.searchView = showSearchView(a.w.Canvas(), a.roomName, func(text string, done func([]session.SearchHit, error)) {
		go func() {
			hits, err := a.s.Search(a.ctx, text, session.SearchOptions{Limit: searchLimit})
			do(func() { done(hits, err) })
		}()
	}, func(h session.SearchHit) { a.JumpTo(id.RoomID(h.RoomID), id.EventID(h.EventID)) })
	// After an upgrade the existing history is indexed first: say so, the first search waits for it.
	v := a.searchView
	go func() {
		n, err := a.s.SearchPending(a.ctx)
		do(func() {
			if err == nil && n > pageSize && v.status.Text == "" {
				v.status.SetText(T("search.indexing", n))
			}
		})
	}()
}

// SearchView is the open (or last) search view.
func (a *App) SearchView() *SearchView { return a.searchView }

func (a *App) roomName(room string) string {
	for _, r := range a.rooms.All() {
		if string(r.ID) == room && r.Name != "" {
			return r.Name
		}
	}
	return room
}

// maxJumpLoad bounds how many messages JumpTo loads to reach an old message.
const maxJumpLoad = 6400

// JumpTo opens room with its timeline scrolled to eventID, loading older messages until the event
// is among them, and selects it.
func (a *App) JumpTo(room id.RoomID, eventID id.EventID) {
	a.OpenRoom(room)
	a.mu.Lock()
	a.reqSeq++ // OpenRoom's own load (which scrolls to the bottom) is dropped
	seq := a.reqSeq
	a.mu.Unlock()
	go func() {
		limit := pageSize
		var msgs []session.Message
		var err error
		for {
			msgs, err = a.s.Timeline(a.ctx, room, limit)
			if err != nil || hasEvent(msgs, eventID) || len(msgs) < limit || limit >= maxJumpLoad {
				break
			}
			limit *= 2
		}
		members, _ := a.s.MemberList(a.ctx, room)
		do(func() {
			if a.reqSeq != seq {
				return
			}
			if err != nil {
				a.showError(T("timeline.load_failed", err))
				return
			}
			a.members = members
			a.timeline.Set(msgs, false)
			a.timeline.ScrollToEvent(eventID)
			Trace("jumped room=%s", room)
		})
	}()
}

func hasEvent(msgs []session.Message, eventID id.EventID) bool {
	for _, m := range msgs {
		if m.EventID == eventID {
			return true
		}
	}
	return false
}
