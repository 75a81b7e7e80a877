package ui

// Message actions: the bar that appears when a message is selected in the timeline.

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
	"bosmessenger/session/policy"
)

// buildActions makes the bar of actions on the selected message (reply, edit, react, retry, drop,
// save, delete); selectMessage shows the ones that apply.
func (a *App) buildActions() {
	a.actLabel = widget.NewLabel("")
	a.actLabel.Truncation = fyne.TextTruncateEllipsis
	a.actBtns = map[string]*widget.Button{}
	add := func(key string, icon fyne.Resource, f func(session.Message)) *widget.Button {
		b := widget.NewButtonWithIcon(T(key), icon, func() {
			if a.selected != nil {
				m := *a.selected
				a.clearSelection()
				f(m)
			}
		})
		a.actBtns[key] = b
		return b
	}
	btns := container.NewHBox(
		add(tkey("action.reply"), theme.MailReplyIcon(), func(m session.Message) { a.composer.StartReply(m.EventID, m.SenderName, m.Body) }),
		add(tkey("action.thread"), theme.ListIcon(), a.openThread),
		add(tkey("action.edit"), theme.DocumentCreateIcon(), func(m session.Message) { a.composer.StartEdit(m.EventID, m.Body) }),
		add(tkey("action.react_ok"), nil, func(m session.Message) { a.react(m, "👍") }),
		add(tkey("action.react_coming"), nil, func(m session.Message) { a.react(m, "✅") }),
		add(tkey("action.react_not_coming"), nil, func(m session.Message) { a.react(m, "❌") }),
		add(tkey("action.retry"), theme.ViewRefreshIcon(), a.retry),
		add(tkey("action.drop"), theme.ContentClearIcon(), a.confirmDrop),
		add(tkey("action.save"), theme.DownloadIcon(), a.saveFile),
		add(tkey("action.open"), theme.MediaPlayIcon(), a.openMedia),
		add(tkey("action.board"), theme.ListIcon(), func(m session.Message) { a.OpenBoard(a.Current(), m.EventID) }),
		add(tkey("action.delete"), theme.DeleteIcon(), a.confirmRedact),
		widget.NewButtonWithIcon("", theme.CancelIcon(), a.clearSelection),
	)
	a.actions = container.NewVBox(widget.NewSeparator(), a.actLabel, container.NewHScroll(btns))
	a.lockSaveAction()
	a.actions.Hide()
}

// lockSaveAction disables the save action with a lock while the policy forbids saving files
// (disable_file_save), and adds the note naming the policy's source beneath the actions.
func (a *App) lockSaveAction() {
	if a.s.CheckFileSave() == nil {
		return
	}
	b := a.actBtns[tkey("action.save")]
	b.SetIcon(theme.NewThemedResource(lockIcon))
	b.Disable()
	note, ok := policyLockNote(a.s.ManagedPolicy(), policy.KeyDisableFileSave)
	if !ok {
		note = "🔒 " + T("managed.locked_by", channelLabel(policy.SourceDefault))
	}
	a.saveNote = widget.NewLabel(note)
	a.saveNote.Importance = widget.LowImportance
	a.saveNote.Hide()
	a.actions.Add(a.saveNote)
}

func (a *App) selectMessage(m session.Message) {
	if m.Kind == "state" || m.Kind == session.KindVerification {
		a.timeline.ClearSelection()
		return
	}
	a.selected = &m
	a.actLabel.SetText(m.SenderName + ": " + firstLine(m.Body, 100))
	mine := m.Sender == a.me
	sent := m.EventID != ""
	show := map[string]bool{
		"action.reply": sent && m.Kind != "redacted", "action.edit": sent && mine && (m.Kind == "text" || m.Kind == "notice" || m.Kind == "emote"),
		"action.react_ok": sent && m.Kind != "redacted", "action.react_coming": sent && m.Kind != "redacted",
		"action.react_not_coming": sent && m.Kind != "redacted", "action.retry": m.SendState == "failed",
		"action.drop":   m.SendState == "failed",
		"action.save":   sent && (m.Kind == "image" || m.Kind == "file" || m.Kind == "video" || m.Kind == "audio"),
		"action.delete": sent && mine && m.Kind != "redacted",
		"action.open":   sent && (m.Kind == "video" || m.Kind == "audio"),
		"action.board":  sent && m.Alert != nil,
		"action.thread": sent && m.Kind != "redacted",
	}
	for k, b := range a.actBtns {
		b.Hidden = !show[k]
	}
	if a.saveNote != nil {
		a.saveNote.Hidden = !show["action.save"]
	}
	a.actions.Show()
	a.actions.Refresh()
	a.relayout()
}

// relayout re-measures the right side after a bar (actions, find) was shown or hidden: containers
// only lay out their children again on a refresh.
func (a *App) relayout() {
	if a.right != nil {
		a.right.Refresh()
	}
}

func (a *App) clearSelection() {
	a.selected = nil
	a.actions.Hide()
	a.relayout()
	a.timeline.ClearSelection()
}

func (a *App) react(m session.Message, key string) {
	for _, r := range m.Reactions {
		if r.Key == key && r.Mine {
			return // already reacted
		}
	}
	go func() {
		if _, err := a.s.SendReaction(a.ctx, a.Current(), m.EventID, key); err != nil {
			a.showError(T("composer.send_failed", err))
		}
	}()
}

func (a *App) retry(m session.Message) {
	go func() {
		if err := a.s.Retry(a.ctx, m.TxnID); err != nil {
			a.showError(T("composer.send_failed", err))
		}
	}()
}

// confirmDrop asks before a message that was not sent is discarded (session.Drop, the path of
// bosctl queue drop: the queue entry and its local echo go).
func (a *App) confirmDrop(m session.Message) {
	dialog.ShowConfirm(T("action.drop_title"), T("action.drop_confirm"), func(ok bool) {
		if ok {
			a.drop(m)
		}
	}, a.w)
}

func (a *App) drop(m session.Message) {
	go func() {
		if err := a.s.Drop(a.ctx, m.TxnID); err != nil {
			a.showError(T("action.drop_failed", err))
		}
	}()
}

func (a *App) confirmRedact(m session.Message) {
	room := a.Current()
	dialog.ShowConfirm(T("action.delete_title"), T("action.delete_confirm"), func(ok bool) {
		if !ok {
			return
		}
		go func() {
			if err := a.s.Redact(a.ctx, room, m.EventID, ""); err != nil {
				a.showError(T("action.delete_failed", err))
			}
		}()
	}, a.w)
}

func (a *App) saveFile(m session.Message) {
	if err := a.s.CheckFileSave(); err != nil { // the button is disabled; a shortcut must not get round it
		showFailure(a.w, T("action.save"), err)
		return
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		prog := a.newTransferDialog(T("action.saving"))
		if m.File != nil {
			prog.label.SetText(m.File.Name)
		}
		prog.d.Show()
		go func() {
			att, err := a.s.DownloadFile(prog.ctx, m.EventID)
			err = writeSaved(wc, att, err) // removes the file again on an error or a cancel
			do(func() {
				prog.close()
				if err != nil && !errors.Is(err, session.ErrTransferCancelled) {
					dialog.ShowError(errors.New(T("action.save_failed", err)), a.w)
				}
			})
		}()
	}, a.w)
	if m.File != nil {
		d.SetFileName(m.File.Name)
	}
	d.Show()
}
