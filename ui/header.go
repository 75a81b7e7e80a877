package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// Header is the bar above the timeline: room name, topic, encryption state, member count and the
// room's actions. Its methods run on the UI goroutine.
type Header struct {
	name, topic, enc, members *widget.Label
	membersBtn, inviteBtn     *widget.Button
	settingsBtn, leaveBtn     *widget.Button
	exportBtn                 *widget.Button
	callBtn                   *widget.Button // calls the other member of a 1:1 room (callapp.go)
	callsOff                  bool           // policy disable_calls: no call button
	acceptBtn, rejectBtn      *widget.Button
	group                     headerGroup // the room's group call (groupcall_header.go)
	view                      *fyne.Container
	avatar                    *avatar
	room                      *session.RoomSummary // shown now (nil: none)

	// Avatar returns a room's avatar picture if it is loaded (and starts loading it if not).
	Avatar func(session.RoomSummary) image.Image

	// Actions the app wires in.
	OnMembers, OnInvite, OnSettings, OnLeave, OnAccept, OnReject func()
	OnExport                                                     func()
	OnCall                                                       func()
	OnGroupCall                                                  func() // joins or starts the room's group call
}

// NewHeader builds an empty header (no room).
func NewHeader() *Header {
	h := &Header{name: widget.NewLabel(""), topic: widget.NewLabel(""), enc: widget.NewLabel(""), members: widget.NewLabel("")}
	h.name.TextStyle.Bold = true
	h.name.Truncation = fyne.TextTruncateEllipsis
	h.topic.Truncation = fyne.TextTruncateEllipsis
	h.topic.Importance = widget.LowImportance
	h.members.Importance = widget.LowImportance
	call := func(f *func()) func() {
		return func() {
			if *f != nil {
				(*f)()
			}
		}
	}
	h.membersBtn = widget.NewButtonWithIcon(T("header.members"), theme.AccountIcon(), call(&h.OnMembers))
	h.inviteBtn = widget.NewButtonWithIcon(T("header.invite"), theme.ContentAddIcon(), call(&h.OnInvite))
	h.settingsBtn = widget.NewButtonWithIcon("", theme.SettingsIcon(), call(&h.OnSettings))
	h.leaveBtn = widget.NewButtonWithIcon(T("header.leave"), theme.LogoutIcon(), call(&h.OnLeave))
	h.exportBtn = widget.NewButtonWithIcon(T("export.button"), theme.DocumentSaveIcon(), call(&h.OnExport))
	h.callBtn = widget.NewButtonWithIcon(T("call.button"), phoneIcon, call(&h.OnCall))
	h.acceptBtn = widget.NewButtonWithIcon(T("header.accept"), theme.ConfirmIcon(), call(&h.OnAccept))
	h.acceptBtn.Importance = widget.HighImportance
	h.rejectBtn = widget.NewButtonWithIcon(T("header.reject"), theme.CancelIcon(), call(&h.OnReject))
	sub := container.NewBorder(nil, nil, container.NewHBox(h.enc, h.members), nil, h.topic)
	h.buildGroupCall(call(&h.OnGroupCall))
	buttons := container.NewHBox(h.acceptBtn, h.rejectBtn, h.group.label, h.group.btn, h.callBtn, h.membersBtn, h.inviteBtn, h.exportBtn, h.settingsBtn, h.leaveBtn)
	h.avatar = newAvatar(roomAvatarSize)
	h.avatar.view.Hide()
	h.view = container.NewBorder(nil, nil, container.NewCenter(h.avatar.view), buttons,
		container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), h.name, sub))
	h.Set(nil)
	return h
}

// View is the header's canvas object.
func (h *Header) View() fyne.CanvasObject { return h.view }

// Set shows a room; nil shows "no room selected".
func (h *Header) Set(r *session.RoomSummary) {
	invite := r != nil && r.Membership == "invite"
	joined := r != nil && !invite
	for _, b := range []*widget.Button{h.membersBtn, h.inviteBtn, h.exportBtn, h.settingsBtn, h.leaveBtn} {
		b.Hidden = !joined
	}
	h.acceptBtn.Hidden, h.rejectBtn.Hidden = !invite, !invite
	h.callBtn.Hidden = !joined || h.callsOff || r.JoinedCount != 2 // only 1:1 rooms can be called
	h.room = r
	h.setGroupCall()
	h.avatar.view.Hidden = r == nil
	h.RefreshAvatar()
	if r == nil {
		h.name.SetText(T("header.no_room"))
		h.topic.SetText("")
		h.enc.SetText("")
		h.members.SetText("")
		h.view.Refresh()
		return
	}
	h.name.SetText(session.CleanName(r.Name)) // remote text: no bidi overrides or control characters
	h.topic.SetText(r.Topic)
	if r.Encrypted {
		h.enc.SetText("🔒 " + T("header.encrypted"))
		h.enc.Importance = widget.SuccessImportance
	} else {
		h.enc.SetText(T("header.not_encrypted"))
		h.enc.Importance = widget.WarningImportance
	}
	h.members.SetText(T("header.member_count", r.JoinedCount))
	h.view.Refresh()
}

// RefreshAvatar shows the shown room's avatar picture (once loaded) or its initial.
func (h *Header) RefreshAvatar() {
	if h.room == nil {
		return
	}
	var pic image.Image
	if h.Avatar != nil {
		pic = h.Avatar(*h.room)
	}
	setRoomAvatar(h.avatar, *h.room, pic) // roomlist_preview.go
}

// Texts returns name, topic, encryption and member labels (for tests).
func (h *Header) Texts() []string {
	return []string{h.name.Text, h.topic.Text, h.enc.Text, h.members.Text}
}

// SetExportLocked disables "Einsatz exportieren …" with a lock (policy disable_chat_export).
func (h *Header) SetExportLocked(locked bool) {
	if locked {
		h.exportBtn.SetIcon(lockIcon)
		h.exportBtn.Disable()
	} else {
		h.exportBtn.SetIcon(theme.DocumentSaveIcon())
		h.exportBtn.Enable()
	}
}

// ExportButton is "Einsatz exportieren …" (for tests).
func (h *Header) ExportButton() *widget.Button { return h.exportBtn }

// SetCallsDisabled hides the call button (policy disable_calls).
func (h *Header) SetCallsDisabled(off bool) {
	h.callsOff = off
	h.Set(h.room)
}

// CallButton is "Anrufen" (for tests).
func (h *Header) CallButton() *widget.Button { return h.callBtn }
