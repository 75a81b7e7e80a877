package ui

// The App's side of group calls (MatrixRTC; the engine is session/groupcalls.go): the header
// shows a room's ongoing group call ("Gruppenanruf läuft (3)", Beitreten) or starts one
// (Gruppenanruf, Ctrl+Shift+G); in the call the group call bar above the composer shows who
// else is there, the duration, Stumm and Verlassen. The microphone is the one 1:1 calls use.

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/dialog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// groupCallWellKnown is where the app looks for the call focus ("": the account's server
// name, as the engine does; tests point it at their focus).
var groupCallWellKnown = ""

// appGroup is the App's group call state (UI goroutine unless noted).
type appGroup struct {
	bar     *GroupCallBar
	room    id.RoomID // the room whose group call this device is in ("" when none)
	joining bool
	stop    chan struct{} // ends the bar's ticker

	mu       sync.Mutex // guards the state lookups below (engine goroutines)
	fetching bool
	again    id.RoomID // a lookup asked for while one was running
}

// buildGroupCalls wires the header's group call button and the bar (NewApp, before the layout).
func (a *App) buildGroupCalls() {
	a.group = &appGroup{bar: newGroupCallBar()}
	a.group.bar.OnMute = func(muted bool) {
		if room := a.group.room; room != "" {
			go func() { _ = a.s.SetGroupCallMuted(room, muted) }()
		}
	}
	a.group.bar.OnLeave = a.LeaveGroupCall
	a.header.OnGroupCall = a.JoinGroupCall
}

// GroupCallBar is the bar of the group call this device is in (for tests).
func (a *App) GroupCallBar() *GroupCallBar { return a.group.bar }

// JoinGroupCall joins the shown room's group call, starting one when there is none (the
// header's button, Ctrl+Shift+G).
func (a *App) JoinGroupCall() {
	room := a.Current()
	if room == "" || a.group.room != "" || a.group.joining {
		return
	}
	if err := a.s.CheckCalls(); err != nil {
		dialog.ShowInformation(T("groupcall.button"), T("call.disabled"), a.w)
		return
	}
	if a.calls.active != "" {
		dialog.ShowInformation(T("groupcall.button"), T("groupcall.busy"), a.w)
		return
	}
	a.group.joining = true
	go func() {
		fail := func(err error) {
			do(func() { a.group.joining = false })
			a.groupCallFailed(err)
		}
		opts, err := a.openCallMedia()
		if err != nil {
			fail(err)
			return
		}
		info, err := a.s.JoinGroupCall(a.ctx, room, session.GroupCallOptions{Source: opts.Source, WellKnownURL: groupCallWellKnown})
		if err != nil {
			a.closeCallMedia()
			fail(err)
			return
		}
		do(func() {
			a.group.joining = false
			a.showGroupCall(room, info)
		})
		a.refreshGroupCall(room)
	}()
}

// showGroupCall opens the bar and starts its ticker (UI goroutine).
func (a *App) showGroupCall(room id.RoomID, info session.GroupCallInfo) {
	a.group.room = room
	a.group.bar.show(info, a.groupNames(info))
	a.header.SetGroupCall(room, a.header.group.count, true)
	a.relayout()
	stop := make(chan struct{})
	a.group.stop = stop
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-a.ctx.Done():
				return
			case <-t.C:
			}
			info, err := a.s.GroupCall(room)
			if err != nil {
				do(func() { a.endGroupCall(stop) })
				return
			}
			if info.Lost {
				a.groupCallFailed(errors.New(T("groupcall.lost")))
				do(a.LeaveGroupCall)
				return
			}
			do(func() {
				if a.group.stop == stop {
					a.group.bar.set(info, a.groupNames(info))
				}
			})
		}
	}()
}

// LeaveGroupCall leaves the group call this device is in (Verlassen).
func (a *App) LeaveGroupCall() {
	room, stop := a.group.room, a.group.stop
	if room == "" {
		return
	}
	a.endGroupCall(stop)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.s.LeaveGroupCall(ctx, room); err != nil && !errors.Is(err, session.ErrNotInGroupCall) {
			a.groupCallFailed(err)
		}
		a.closeCallMedia()
		a.refreshGroupCall(room)
	}()
}

// endGroupCall hides the bar of the call its ticker (stop) belongs to (UI goroutine).
func (a *App) endGroupCall(stop chan struct{}) {
	if stop == nil || a.group.stop != stop {
		return
	}
	close(stop)
	a.group.stop = nil
	room := a.group.room
	a.group.room = ""
	a.group.bar.hide()
	a.header.SetGroupCall(room, a.header.group.count, false)
	a.relayout()
}

// groupNames are the display names of the others in a call.
func (a *App) groupNames(info session.GroupCallInfo) []string {
	var names []string
	for _, p := range info.Participants {
		user := p.Identity
		if i := strings.LastIndexByte(user, ':'); i > strings.IndexByte(user, ':') {
			user = user[:i] // "@user:server:DEVICE" (rtc.Identity)
		}
		names = append(names, a.memberName(user))
	}
	sort.Strings(names)
	return names
}

// groupCallChanges looks up the shown room's group call again when its state may have
// changed (engine goroutine).
func (a *App) groupCallChanges(batch []session.Change) {
	cur := a.Current()
	for _, c := range batch {
		if c.Kind == session.ChangeGroupCall || (cur != "" && c.RoomID == cur &&
			c.Kind != session.ChangeTyping && c.Kind != session.ChangeReceipts) {
			a.refreshGroupCall(cur)
			return
		}
	}
}

// refreshGroupCall reads a room's call memberships and shows them in the header (any
// goroutine; one lookup at a time, the last one asked for runs after it).
func (a *App) refreshGroupCall(room id.RoomID) {
	if room == "" {
		return
	}
	g := a.group
	g.mu.Lock()
	if g.fetching {
		g.again = room
		g.mu.Unlock()
		return
	}
	g.fetching = true
	g.mu.Unlock()
	go func() {
		for {
			r := room
			members, err := a.s.GroupCallMembers(a.ctx, r)
			_, inErr := a.s.GroupCall(r)
			if err == nil {
				do(func() { a.header.SetGroupCall(r, len(members), inErr == nil) })
			}
			g.mu.Lock()
			room = g.again
			g.again = ""
			if room == "" {
				g.fetching = false
				g.mu.Unlock()
				return
			}
			g.mu.Unlock()
		}
	}()
}

// groupCallFailed shows why a group call could not be joined or went wrong (any goroutine).
func (a *App) groupCallFailed(err error) {
	msg := T("groupcall.failed", err)
	switch {
	case errors.Is(err, session.ErrCallsDisabled):
		msg = T("call.disabled")
	case errors.Is(err, session.ErrNoMicrophone):
		msg = T("call.no_microphone", err)
	}
	do(func() { dialog.ShowError(errors.New(msg), a.w) })
}
