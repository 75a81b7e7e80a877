package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// ShowRoomSettings lets the user rename a room, change its topic and turn on encryption (which cannot
// be turned off again).
func ShowRoomSettings(ctx context.Context, w fyne.Window, s *session.Session, roomID id.RoomID) {
	go func() {
		sum, err := s.Room(ctx, roomID)
		do(func() {
			if err != nil {
				dialog.ShowError(errors.New(T("roomsettings.load_failed", err)), w)
				return
			}
			showRoomSettings(ctx, w, s, sum)
		})
	}()
}

func showRoomSettings(ctx context.Context, w fyne.Window, s *session.Session, sum session.RoomSummary) {
	name := widget.NewEntry()
	name.SetText(sum.Name)
	topic := widget.NewMultiLineEntry()
	topic.SetText(sum.Topic)
	topic.SetMinRowsVisible(3)
	enc := widget.NewCheck(T("roomsettings.encrypted"), nil)
	enc.SetChecked(sum.Encrypted)
	if sum.Encrypted {
		enc.Disable()
	}
	items := []*widget.FormItem{
		widget.NewFormItem(T("roomsettings.name"), name),
		widget.NewFormItem(T("roomsettings.topic"), topic),
		widget.NewFormItem("", enc),
		widget.NewFormItem(T("roomsettings.id"), widget.NewLabel(string(sum.ID))),
	}
	d := dialog.NewForm(T("roomsettings.title"), T("roomsettings.save"), T("roomsettings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		newName, newTopic := strings.TrimSpace(name.Text), strings.TrimSpace(topic.Text)
		turnOn := enc.Checked && !sum.Encrypted
		prog := dialog.NewCustomWithoutButtons(T("roomsettings.saving"), widget.NewProgressBarInfinite(), w)
		prog.Show()
		go func() {
			err := saveRoomSettings(ctx, s, sum, newName, newTopic, turnOn)
			do(func() {
				prog.Hide()
				if err != nil {
					dialog.ShowError(errors.New(T("roomsettings.save_failed", err)), w)
				}
			})
		}()
	}, w)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
}

func saveRoomSettings(ctx context.Context, s *session.Session, sum session.RoomSummary, name, topic string, encrypt bool) error {
	if name != "" && name != sum.Name {
		if err := s.SetRoomName(ctx, sum.ID, name); err != nil {
			return err
		}
	}
	if topic != sum.Topic {
		if err := s.SetRoomTopic(ctx, sum.ID, topic); err != nil {
			return err
		}
	}
	if encrypt {
		return s.EnableEncryption(ctx, sum.ID)
	}
	return nil
}
