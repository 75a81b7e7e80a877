package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// identityChanges picks the users whose cross-signing identity changed out of a batch of changes.
func identityChanges(batch []session.Change) []id.UserID {
	var users []id.UserID
	seen := map[id.UserID]bool{}
	for _, c := range batch {
		if c.Kind == session.ChangeIdentityChanged && c.UserID != "" && !seen[c.UserID] {
			seen[c.UserID] = true
			users = append(users, c.UserID)
		}
	}
	return users
}

// warnIdentityChanged tells the user that a contact's identity (master key) changed: a reinstall or
// a new phone, or an attack. Acknowledging pins the new identity (the user is then unverified and
// can be verified again); "Später" keeps the warning state. UI goroutine only.
func (a *App) warnIdentityChanged(user id.UserID) {
	if a.identityWarned[user] {
		return
	}
	a.identityWarned[user] = true
	msg := widget.NewLabel(T("identity.changed_text", a.memberName(string(user)), user))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(T("identity.changed_title"), T("identity.acknowledge"), T("identity.later"), msg, func(ok bool) {
		delete(a.identityWarned, user)
		if !ok {
			return
		}
		go func() {
			if err := a.s.AcknowledgeIdentity(a.ctx, user); err != nil {
				do(func() { dialog.ShowError(errors.New(T("identity.ack_failed", err)), a.w) })
			}
		}()
	}, a.w)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	a.lastIdentityDialog = d
}
