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

// roomAvatarSize is the side of a room's avatar in the room list.
const roomAvatarSize = 32

// A room list row: the room's avatar (its picture, loaded by the engine, over its initial on a
// colour picked from the room ID), the name with the last message's preview under it, and on the right
// the encryption marker and the unread badge.

// newRoomRow builds the template of a room list row. Objects (updateRoomRow relies on the order):
// the name/preview column, the avatar, the right-hand box.
func newRoomRow() fyne.CanvasObject {
	name := widget.NewLabel("")
	name.Truncation = fyne.TextTruncateEllipsis
	preview := widget.NewLabel("")
	preview.Truncation = fyne.TextTruncateEllipsis // one line, cut with "…"
	preview.Importance = widget.LowImportance
	preview.SizeName = theme.SizeNameCaptionText
	enc := widget.NewLabel("🔒")
	enc.Importance = widget.LowImportance
	unread := widget.NewLabel("")
	unread.TextStyle.Bold = true
	av := newAvatar(roomAvatarSize)
	column := container.New(layout.NewCustomPaddedVBoxLayout(0), name, preview)
	return container.NewBorder(nil, nil, container.NewCenter(av.view), container.NewHBox(enc, unread), column)
}

// rowParts finds the widgets of a row made by newRoomRow.
func rowParts(o fyne.CanvasObject) (name, preview, enc, unread *widget.Label, av *avatar) {
	row := o.(*fyne.Container)
	column, left, right := row.Objects[0].(*fyne.Container), row.Objects[1].(*fyne.Container), row.Objects[2].(*fyne.Container)
	name, preview = column.Objects[0].(*widget.Label), column.Objects[1].(*widget.Label)
	enc, unread = right.Objects[0].(*widget.Label), right.Objects[1].(*widget.Label)
	av = avatarParts(left.Objects[0].(*fyne.Container))
	return
}

// previewLine is the one line a room list shows of a room's newest message: "Sender: text",
// cleaned of control, bidi and invisible characters; "" without a message.
func previewLine(lm *session.LastMessage) string {
	if lm == nil {
		return ""
	}
	body := session.CleanName(lm.Body) // remote text: one line, nothing that reorders or hides
	switch lm.Kind {
	case session.PreviewUndecryptable:
		body = T("rooms.preview_undecryptable")
	case session.PreviewRedacted:
		body = T("rooms.preview_redacted")
	}
	sender := session.CleanName(lm.SenderName)
	if sender == "" {
		sender = string(lm.Sender)
	}
	return sender + ": " + body
}

// setRoomAvatar shows the room's avatar picture (pic; nil while it loads or without one) over
// its initial on its colour, touching the canvas only on a change.
func setRoomAvatar(av *avatar, r session.RoomSummary, pic image.Image) {
	av.setPicture(pic)
	colour, letter := userColour(string(r.ID)), initial(session.CleanName(r.Name))
	if av.circle.FillColor == colour && av.text.Text == letter {
		return
	}
	av.set(string(r.ID), session.CleanName(r.Name))
}
