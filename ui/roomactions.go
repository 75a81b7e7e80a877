package ui

import "fyne.io/fyne/v2/dialog"

func (a *App) confirmLeave() {
	room := a.Current()
	dialog.ShowConfirm(T("header.leave"), T("header.leave_confirm"), func(ok bool) {
		if !ok {
			return
		}
		go func() {
			if err := a.s.Leave(a.ctx, room); err != nil {
				a.showError(T("header.leave_failed", err))
				return
			}
			do(a.closeRoom)
		}()
	}, a.w)
}

func (a *App) acceptInvite() {
	room := a.Current()
	go func() {
		if _, err := a.s.Join(a.ctx, string(room)); err != nil {
			a.showError(T("header.join_failed", err))
			return
		}
		do(func() {
			a.mu.Lock()
			a.cur = ""
			a.mu.Unlock()
			a.OpenRoom(room)
		})
	}()
}

func (a *App) rejectInvite() {
	room := a.Current()
	go func() {
		if err := a.s.RejectInvite(a.ctx, room); err != nil {
			a.showError(T("header.leave_failed", err))
			return
		}
		do(a.closeRoom)
	}()
}

func (a *App) closeRoom() {
	a.mu.Lock()
	a.cur = ""
	a.reqSeq++
	a.mu.Unlock()
	a.header.Set(nil)
	a.timeline.Set(nil, true)
	a.setComposerEnabled(false)
	a.rooms.Select("")
}
