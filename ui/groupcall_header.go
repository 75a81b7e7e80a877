package ui

import (
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"
)

// headerGroup is the header's view of the shown room's group call: "Gruppenanruf" starts one,
// and while one goes on (call memberships in the room) "Gruppenanruf läuft (3)" with
// "Beitreten"; in the call the group call bar (groupcall_bar.go) takes over.
type headerGroup struct {
	label *widget.Label
	btn   *widget.Button
	room  id.RoomID // the room count and in belong to
	count int       // current call memberships
	in    bool      // this device is in the call
}

func (h *Header) buildGroupCall(tap func()) {
	h.group.label = widget.NewLabel("")
	h.group.label.Importance = widget.SuccessImportance
	h.group.btn = widget.NewButtonWithIcon(T("groupcall.button"), phoneIcon, tap)
}

// SetGroupCall shows the group call state of a room (ignored unless it is the shown one).
func (h *Header) SetGroupCall(room id.RoomID, count int, in bool) {
	if h.room == nil || h.room.ID != room {
		return
	}
	h.group.room, h.group.count, h.group.in = room, count, in
	h.setGroupCall()
}

// setGroupCall shows the button and label for the shown room: only in joined rooms that are
// not direct chats, not under disable_calls, not while this device is in the call.
func (h *Header) setGroupCall() {
	g := &h.group
	r := h.room
	if r == nil || r.ID != g.room {
		g.count, g.in = 0, false
		if r != nil {
			g.room = r.ID
		}
	}
	show := r != nil && r.Membership == "join" && !r.IsDirect && !h.callsOff
	g.label.Hidden = !show || g.count == 0
	if g.count > 0 {
		g.label.SetText(T("groupcall.ongoing", g.count))
	}
	g.btn.Hidden = !show || g.in
	text := T("groupcall.button")
	if g.count > 0 {
		text = T("groupcall.join")
	}
	if g.btn.Text != text {
		g.btn.SetText(text)
	}
	g.label.Refresh()
	g.btn.Refresh()
}

// GroupCallButton is "Gruppenanruf" / "Beitreten" (for tests).
func (h *Header) GroupCallButton() *widget.Button { return h.group.btn }

// GroupCallLabel is "Gruppenanruf läuft (N)" ("" when none; for tests).
func (h *Header) GroupCallLabel() string {
	if h.group.label.Hidden {
		return ""
	}
	return h.group.label.Text
}
