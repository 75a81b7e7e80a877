package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// DeviceLockBanner is the main window's banner while policy keeps this device from sending and
// reading until it is verified (session.DeviceLocked): verify with another own device (SAS or QR)
// or with the recovery key. It hides when the engine reports the device verified.
type DeviceLockBanner struct {
	Text                        *widget.Label
	WithDevice, WithRecoveryKey *widget.Button
	view                        *fyne.Container

	ctx context.Context
	w   fyne.Window
	s   Engine

	onVerify     func(*verifyView)     // tests: the dialog of a started verification
	onDialog     func(d dialog.Dialog) // tests: the recovery key dialog when shown
	verifyRecKey func(ctx context.Context, keyOrPassphrase string) error
}

// NewDeviceLockBanner builds the banner (hidden until Set shows it).
func NewDeviceLockBanner(ctx context.Context, w fyne.Window, s Engine) *DeviceLockBanner {
	b := &DeviceLockBanner{ctx: ctx, w: w, s: s, Text: widget.NewLabel(T("devicelock.text")), verifyRecKey: s.VerifyWithRecoveryKey}
	b.Text.Wrapping = fyne.TextWrapWord
	b.Text.Importance = widget.WarningImportance
	title := widget.NewLabel(T("devicelock.title"))
	title.TextStyle.Bold = true
	title.Importance = widget.WarningImportance
	b.WithDevice = widget.NewButtonWithIcon(T("devicelock.with_device"), theme.ComputerIcon(), func() {
		startVerification(b.ctx, b.w, b.s, b.s.Account().UserID, "", b.onVerify)
	})
	b.WithDevice.Importance = widget.HighImportance
	b.WithRecoveryKey = widget.NewButtonWithIcon(T("devicelock.with_recovery_key"), theme.LoginIcon(), b.askRecoveryKey)
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	b.view = container.NewVBox(container.NewBorder(nil, nil, icon, nil,
		container.NewVBox(title, b.Text, container.NewHBox(b.WithDevice, b.WithRecoveryKey))), widget.NewSeparator())
	b.view.Hide()
	return b
}

// View is the banner's canvas object.
func (b *DeviceLockBanner) View() fyne.CanvasObject { return b.view }

// Shown reports whether the banner is shown.
func (b *DeviceLockBanner) Shown() bool { return b.view.Visible() }

// Set shows (locked) or hides the banner; it reports whether that changed.
func (b *DeviceLockBanner) Set(locked bool) bool {
	if b.view.Visible() == locked {
		return false
	}
	b.view.Hidden = !locked
	b.view.Refresh()
	return true
}

// askRecoveryKey asks for the recovery key (or its passphrase) and verifies this device with it:
// the cross-signing keys come from secret storage and sign it.
func (b *DeviceLockBanner) askRecoveryKey() {
	dlg := askSecret(b.ctx, b.w, secretPrompt{
		title: T("devicelock.with_recovery_key"), explain: T("devicelock.recovery_explain"),
		ok: T("devicelock.verify"), busy: T("devicelock.verifying"),
		run: func(ctx context.Context, secret string) error { return b.verifyRecKey(ctx, secret) },
		done: func(err error) {
			if err != nil {
				showFailure(b.w, T("devicelock.with_recovery_key"), err)
			}
		},
	})
	if b.onDialog != nil {
		b.onDialog(dlg)
	}
}
