package ui

import (
	"errors"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"bosmessenger/session"
)

// openURL hands a URL to the system (a variable so tests see what would be opened).
var openURL = func(u *url.URL) error { return fyne.CurrentApp().OpenURL(u) }

// openMedia ("Öffnen" on audio and video) decrypts the attachment into a private temporary file
// (removed when the session closes, at the latest when the app exits) and opens it with the
// system's player, with progress and Abbrechen while it downloads.
func (a *App) openMedia(m session.Message) {
	if err := a.s.CheckFileSave(); err != nil { // plaintext on disk, as when saving
		showFailure(a.w, T("action.open"), err)
		return
	}
	prog := a.newTransferDialog(T("action.open"))
	if m.File != nil {
		prog.label.SetText(m.File.Name)
	}
	prog.d.Show()
	go func() {
		path, err := a.s.OpenFileTemp(prog.ctx, m.EventID)
		var u *url.URL
		if err == nil {
			u, err = url.Parse(storage.NewFileURI(path).String())
		}
		do(func() {
			prog.close()
			if err == nil {
				err = openURL(u)
			}
			if err != nil && !errors.Is(err, session.ErrTransferCancelled) {
				dialog.ShowError(errors.New(T("action.open_failed", err)), a.w)
			}
		})
	}()
}
