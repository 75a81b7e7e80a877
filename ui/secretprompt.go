package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// secretPrompt describes a dialog that asks for the recovery key or its passphrase and then runs
// work with it behind a busy indicator (key backup restore, device verification by recovery key).
type secretPrompt struct {
	title, explain, ok, busy string // translated texts: dialog title, explanation, button, busy label
	run                      func(ctx context.Context, secret string) error
	done                     func(err error) // on the UI goroutine, after run
}

// askSecret shows the prompt (an empty secret is refused in the dialog) and returns the dialog.
func askSecret(ctx context.Context, w fyne.Window, p secretPrompt) *dialog.CustomDialog {
	entry := widget.NewPasswordEntry()
	errL := errorLabel()
	explain := widget.NewLabel(p.explain)
	explain.Wrapping = fyne.TextWrapWord
	var dlg *dialog.CustomDialog
	submit := func() {
		secret := entry.Text
		if secret == "" {
			setError(errL, T("settings.backup.secret_required"))
			fitDialog(dlg, widthForm)
			return
		}
		dlg.Hide()
		runBusy(ctx, w, p.busy, func(ctx context.Context) error { return p.run(ctx, secret) }, p.done)
	}
	entry.OnSubmitted = func(string) { submit() }
	ok := widget.NewButton(p.ok, submit)
	ok.Importance = widget.HighImportance
	form := widget.NewForm(widget.NewFormItem(T("settings.backup.secret"), entry))
	dlg = dialog.NewCustomWithoutButtons(p.title, container.NewVBox(explain, form, errL), w)
	dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.cancel"), func() { dlg.Hide() }), ok})
	fitDialog(dlg, widthForm)
	dlg.Show()
	w.Canvas().Focus(entry)
	return dlg
}
