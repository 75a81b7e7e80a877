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

// ShowRoomSettings lets the user rename a room, change its topic, choose what it notifies for (all,
// mentions and keywords, off: push rules Element shares) and turn on encryption (which cannot be
// turned off again).
func ShowRoomSettings(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID) {
	go func() {
		sum, err := s.Room(ctx, roomID)
		var level session.RoomNotificationLevel
		if err == nil {
			level, err = s.RoomNotificationLevel(ctx, roomID)
		}
		do(func() {
			if err != nil {
				dialog.ShowError(errors.New(T("roomsettings.load_failed", err)), w)
				return
			}
			showRoomSettings(ctx, w, s, sum, level)
		})
	}()
}

// notifyLevels are the levels in the order the settings offer them.
var notifyLevels = []session.RoomNotificationLevel{session.RoomNotifyAll, session.RoomNotifyMentions, session.RoomNotifyOff}

func notifyLevelText(l session.RoomNotificationLevel) string {
	switch l {
	case session.RoomNotifyMentions:
		return T("roomsettings.notify_mentions")
	case session.RoomNotifyOff:
		return T("roomsettings.notify_off")
	}
	return T("roomsettings.notify_all")
}

// newNotifySelect offers the notification levels; level returns the chosen one.
func newNotifySelect(current session.RoomNotificationLevel) (sel *widget.Select, level func() session.RoomNotificationLevel) {
	texts := make([]string, len(notifyLevels))
	for i, l := range notifyLevels {
		texts[i] = notifyLevelText(l)
	}
	sel = widget.NewSelect(texts, nil)
	sel.SetSelected(notifyLevelText(current))
	return sel, func() session.RoomNotificationLevel {
		if i := sel.SelectedIndex(); i >= 0 {
			return notifyLevels[i]
		}
		return current
	}
}

func showRoomSettings(ctx context.Context, w fyne.Window, s Engine, sum session.RoomSummary,
	level session.RoomNotificationLevel) {
	name := widget.NewEntry()
	name.SetText(sum.Name)
	topic := widget.NewMultiLineEntry()
	topic.SetText(sum.Topic)
	topic.SetMinRowsVisible(3)
	notify, chosen := newNotifySelect(level)
	enc := widget.NewCheck(T("roomsettings.encrypted"), nil)
	enc.SetChecked(sum.Encrypted)
	if sum.Encrypted {
		enc.Disable()
	}
	items := []*widget.FormItem{
		widget.NewFormItem(T("roomsettings.name"), name),
		widget.NewFormItem(T("roomsettings.topic"), topic),
		widget.NewFormItem(T("roomsettings.notify"), notify),
		widget.NewFormItem("", enc),
		widget.NewFormItem(T("roomsettings.id"), widget.NewLabel(string(sum.ID))),
	}
	d := dialog.NewForm(T("roomsettings.title"), T("roomsettings.save"), T("roomsettings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		newName, newTopic := strings.TrimSpace(name.Text), strings.TrimSpace(topic.Text)
		turnOn := enc.Checked && !sum.Encrypted
		newLevel := chosen()
		prog := dialog.NewCustomWithoutButtons(T("roomsettings.saving"), widget.NewProgressBarInfinite(), w)
		prog.Show()
		go func() {
			err := saveRoomSettings(ctx, s, sum, newName, newTopic, turnOn)
			if err == nil && newLevel != level {
				err = s.SetRoomNotificationLevel(ctx, sum.ID, newLevel)
			}
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

func saveRoomSettings(ctx context.Context, s Engine, sum session.RoomSummary, name, topic string, encrypt bool) error {
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
