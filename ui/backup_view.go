package ui

import (
	"context"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session/policy"
)

// minBackupPassphrase is the shortest passphrase accepted for a new key backup.
const minBackupPassphrase = 10

// securityView is the settings' security tab: this device's verification, the server-side key
// backup (set up, restore) and the key-sharing setting. UI goroutine only.
type securityView struct {
	ctx       context.Context // ends with the settings dialog
	verifyCtx context.Context // for verifications, which outlive it
	s         Engine
	w         fyne.Window
	prefs     *Prefs

	ownState  *widget.Label
	verifyBtn *widget.Button
	view      fyne.CanvasObject

	onLoaded      func()                // tests: after the device state was shown
	onRecoveryKey func(key string)      // tests: when the recovery key dialog is shown
	onDialog      func(d dialog.Dialog) // tests: passphrase dialogs when shown
	onRestored    func(err error)       // tests: after a restore finished
	onVerify      func(*verifyView)     // tests: the dialog of a started verification
	createBackup  func(ctx context.Context, passphrase string) (string, error)
	restoreBackup func(ctx context.Context, keyOrPassphrase string) error
}

func newSecurityView(ctx context.Context, w fyne.Window, s Engine, prefs *Prefs) *securityView {
	sv := &securityView{ctx: ctx, verifyCtx: ctx, s: s, w: w, prefs: prefs, createBackup: s.CreateKeyBackup, restoreBackup: s.RestoreKeyBackup}
	sv.ownState = widget.NewLabel(T("settings.security.checking"))
	sv.ownState.Wrapping = fyne.TextWrapWord
	sv.verifyBtn = widget.NewButton(T("settings.security.verify_this"), func() {
		startVerification(sv.verifyCtx, sv.w, sv.s, sv.s.Account().UserID, "", sv.onVerify)
	})
	sv.verifyBtn.Hide()

	backupText := widget.NewLabel(T("settings.backup.explain"))
	backupText.Wrapping = fyne.TextWrapWord
	create := widget.NewButtonWithIcon(T("settings.backup.create"), theme.UploadIcon(), sv.askCreate)
	restore := widget.NewButtonWithIcon(T("settings.backup.restore"), theme.DownloadIcon(), sv.askRestore)

	exclude := widget.NewCheck(T("settings.security.exclude_insecure"), nil)
	exclude.SetChecked(prefs != nil && prefs.ExcludeInsecureDevices())
	exclude.OnChanged = func(on bool) {
		if sv.prefs != nil {
			sv.prefs.SetExcludeInsecureDevices(on)
		}
	}
	if prefs == nil {
		exclude.Disable()
	}
	stripMeta := newStripMetadataCheck(s, prefs)
	excludeNote := widget.NewLabel(T("settings.security.exclude_insecure_note"))
	excludeNote.Wrapping = fyne.TextWrapWord
	excludeNote.Importance = widget.LowImportance
	excludeBox := excludeControl(s.ManagedPolicy(), exclude)

	sv.view = container.NewVScroll(container.NewVBox(
		widget.NewCard(T("settings.security.this_device"), "", container.NewVBox(sv.ownState, container.NewHBox(sv.verifyBtn))),
		widget.NewCard(T("settings.backup.title"), "", container.NewVBox(backupText, container.NewHBox(create, restore))),
		widget.NewCard(T("settings.security.sharing"), "", container.NewVBox(excludeBox, excludeNote)),
		widget.NewCard(T("settings.security.privacy"), "", stripMeta),
	))
	return sv
}

// View is the tab's content.
func (sv *securityView) View() fyne.CanvasObject { return sv.view }

// reload checks this device's verification off the UI goroutine.
func (sv *securityView) reload() {
	go func() {
		ok, err := sv.s.OwnDeviceVerified(sv.ctx)
		do(func() {
			switch {
			case err != nil:
				sv.ownState.SetText(T("settings.security.check_failed", failureText(err)))
				sv.ownState.Importance = widget.MediumImportance
			case ok:
				sv.ownState.SetText(T("settings.security.verified"))
				sv.ownState.Importance = widget.SuccessImportance
				sv.verifyBtn.Hide()
			default:
				sv.ownState.SetText(T("settings.security.unverified"))
				sv.ownState.Importance = widget.WarningImportance
				sv.verifyBtn.Show()
			}
			sv.ownState.Refresh()
			sv.view.Refresh() // the texts changed height
			if sv.onLoaded != nil {
				sv.onLoaded()
			}
		})
	}()
}

// askCreate asks for a passphrase (twice), sets up the key backup and shows the recovery key.
func (sv *securityView) askCreate() {
	pw1, pw2 := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	errL := errorLabel()
	explain := widget.NewLabel(T("settings.backup.create_explain"))
	explain.Wrapping = fyne.TextWrapWord
	var dlg *dialog.CustomDialog
	submit := func() {
		switch {
		case utf8.RuneCountInString(pw1.Text) < minBackupPassphrase:
			setError(errL, T("settings.backup.passphrase_short", minBackupPassphrase))
			fitDialog(dlg, widthForm)
			return
		case pw1.Text != pw2.Text:
			setError(errL, T("settings.backup.passphrase_mismatch"))
			fitDialog(dlg, widthForm)
			return
		}
		passphrase := pw1.Text
		dlg.Hide()
		var key string
		runBusy(sv.ctx, sv.w, T("settings.backup.creating"), func(ctx context.Context) (err error) {
			key, err = sv.createBackup(ctx, passphrase)
			return err
		}, func(err error) {
			if err != nil {
				showFailure(sv.w, T("settings.backup.title"), err)
				return
			}
			sv.showRecoveryKey(key)
		})
	}
	pw2.OnSubmitted = func(string) { submit() }
	ok := widget.NewButton(T("settings.backup.create_ok"), submit)
	ok.Importance = widget.HighImportance
	form := widget.NewForm(widget.NewFormItem(T("settings.backup.passphrase"), pw1), widget.NewFormItem(T("settings.backup.passphrase_repeat"), pw2))
	dlg = dialog.NewCustomWithoutButtons(T("settings.backup.create"), container.NewVBox(explain, form, errL), sv.w)
	dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.cancel"), func() { dlg.Hide() }), ok})
	fitDialog(dlg, widthForm)
	dlg.Show()
	sv.w.Canvas().Focus(pw1)
	if sv.onDialog != nil {
		sv.onDialog(dlg)
	}
}

// showRecoveryKey shows the recovery key once, with a copy button; the dialog closes only after
// the user confirmed keeping it safe.
func (sv *securityView) showRecoveryKey(key string) {
	warn := widget.NewLabel(T("settings.backup.key_warning"))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.WarningImportance
	keyLabel := widget.NewLabel(key)
	keyLabel.TextStyle.Monospace = true
	keyLabel.Wrapping = fyne.TextWrapWord
	keyLabel.Selectable = true
	copied := widget.NewLabel("")
	copyBtn := widget.NewButtonWithIcon(T("settings.backup.copy"), theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(key)
		copied.SetText(T("settings.backup.copied"))
	})
	var dlg *dialog.CustomDialog
	done := widget.NewButton(T("settings.backup.key_done"), func() { dlg.Hide() })
	done.Importance = widget.HighImportance
	done.Disable()
	stored := widget.NewCheck(T("settings.backup.key_stored"), func(on bool) {
		if on {
			done.Enable()
		} else {
			done.Disable()
		}
	})
	content := container.NewVBox(warn, widget.NewCard("", "", keyLabel), container.NewHBox(copyBtn, copied), stored)
	dlg = dialog.NewCustomWithoutButtons(T("settings.backup.key_title"), content, sv.w)
	dlg.SetButtons([]fyne.CanvasObject{done})
	fitDialog(dlg, widthForm)
	dlg.Show()
	if sv.onRecoveryKey != nil {
		sv.onRecoveryKey(key)
	}
}

// askRestore asks for the recovery key or passphrase and restores the room keys from the backup.
func (sv *securityView) askRestore() {
	dlg := askSecret(sv.ctx, sv.w, secretPrompt{
		title: T("settings.backup.restore"), explain: T("settings.backup.restore_explain"),
		ok: T("settings.backup.restore_ok"), busy: T("settings.backup.restoring"),
		run: func(ctx context.Context, secret string) error { return sv.restoreBackup(ctx, secret) },
		done: func(err error) {
			if err != nil {
				showFailure(sv.w, T("settings.backup.restore"), err)
			} else {
				d := dialog.NewCustom(T("settings.backup.restore"), T("dlg.close"), widget.NewLabel(T("settings.backup.restored")), sv.w)
				d.Show()
			}
			if sv.onRestored != nil {
				sv.onRestored(err)
			}
		},
	})
	if sv.onDialog != nil {
		sv.onDialog(dlg)
	}
}

// excludeControl shows the policy's exclude_insecure_devices when the policy enforces it (BOS
// mode does): checked as the policy says, disabled, with the lock note naming the source.
func excludeControl(p *policy.Policy, exclude *widget.Check) fyne.CanvasObject {
	if p != nil && p.Setting(policy.KeyExcludeInsecureDevices).Enforced {
		exclude.OnChanged = nil
		exclude.SetChecked(p.ExcludeInsecureDevices())
	}
	return lockByPolicy(p, policy.KeyExcludeInsecureDevices, exclude)
}
