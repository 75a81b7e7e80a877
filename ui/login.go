package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// LoginFunc signs in; the app passes session.Login with its config.
type LoginFunc func(ctx context.Context, homeserver, user, password, passphrase string) (*session.Session, error)

// LoginView is the first-run form: Matrix ID (or user name plus homeserver), password and an optional
// store passphrase (without one the OS keyring holds the store key). Errors are shown in German
// (or English) under the form; the fields keep their input.
type LoginView struct {
	User, Password, Homeserver, Passphrase *widget.Entry
	Button                                 *widget.Button
	Error                                  *widget.Label
	// HomeserverLock and HomeserverNote show that the admin's policy fixed (or recommends) the
	// server (hidden otherwise).
	HomeserverLock *widget.Icon
	HomeserverNote *widget.Label
	progress       *widget.ProgressBarInfinite
	view           fyne.CanvasObject
}

// HomeserverPolicy is the admin's homeserver key: a value pre-fills the server field; Locked
// (managed) also disables it, with a lock and "set by the administrator" naming the source.
type HomeserverPolicy struct {
	Value  string
	Locked bool
	// Source is the policy source that set it (policy.Setting.Source), named in the note.
	Source string
}

// SetHomeserverPolicy applies the admin's homeserver key to the form (UI goroutine).
func (v *LoginView) SetHomeserverPolicy(p HomeserverPolicy) {
	if p.Value == "" {
		return
	}
	v.Homeserver.SetText(p.Value)
	if p.Locked {
		v.Homeserver.Disable()
		v.HomeserverLock.Show()
		v.HomeserverNote.SetText(T("login.homeserver_locked"))
	} else {
		v.HomeserverNote.SetText(T("login.homeserver_recommended"))
	}
	if p.Source != "" {
		v.HomeserverNote.SetText(v.HomeserverNote.Text + " (" + sourceText(p.Source) + ")")
	}
	v.HomeserverNote.Show()
}

// NewLoginView builds the form; onDone gets the signed-in session (on the UI goroutine).
func NewLoginView(ctx context.Context, login LoginFunc, onDone func(*session.Session)) *LoginView {
	v := &LoginView{User: widget.NewEntry(), Password: widget.NewPasswordEntry(), Homeserver: widget.NewEntry(),
		Passphrase: widget.NewPasswordEntry(), Error: widget.NewLabel(""), progress: widget.NewProgressBarInfinite()}
	v.User.SetPlaceHolder("@name:server.de")
	v.Homeserver.SetPlaceHolder(T("login.homeserver_hint"))
	v.Passphrase.SetPlaceHolder(T("login.passphrase_hint"))
	v.Error.Importance = widget.DangerImportance
	v.Error.Wrapping = fyne.TextWrapWord
	v.Error.Hide()
	v.progress.Hide()
	v.progress.Stop()
	submit := func() {
		user, pw := strings.TrimSpace(v.User.Text), v.Password.Text
		hs := strings.TrimSpace(v.Homeserver.Text)
		if user == "" || pw == "" {
			v.showError(T("login.missing"))
			return
		}
		if hs == "" && !strings.HasPrefix(user, "@") {
			v.showError(T("login.need_server"))
			return
		}
		v.busy(true)
		pass := v.Passphrase.Text
		go func() {
			s, err := login(ctx, hs, user, pw, pass)
			do(func() {
				v.busy(false)
				if err != nil {
					v.showError(LoginError(err))
					return
				}
				onDone(s)
			})
		}()
	}
	v.Button = widget.NewButton(T("login.button"), submit)
	v.Button.Importance = widget.HighImportance
	v.Password.OnSubmitted = func(string) { submit() }
	v.User.OnSubmitted = func(string) { submit() }
	v.HomeserverLock = widget.NewIcon(theme.NewThemedResource(lockIcon))
	v.HomeserverLock.Hide()
	v.HomeserverNote = widget.NewLabel("")
	v.HomeserverNote.Importance = widget.LowImportance
	v.HomeserverNote.SizeName = theme.SizeNameCaptionText
	v.HomeserverNote.Hide()
	form := widget.NewForm(
		widget.NewFormItem(T("login.user"), v.User),
		widget.NewFormItem(T("login.password"), v.Password),
		widget.NewFormItem(T("login.homeserver"), container.NewVBox(
			container.NewBorder(nil, nil, nil, v.HomeserverLock, v.Homeserver), v.HomeserverNote)),
		widget.NewFormItem(T("login.passphrase"), v.Passphrase),
	)
	title := widget.NewLabel(T("login.title"))
	title.TextStyle.Bold = true
	intro := widget.NewLabel(T("login.intro"))
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, intro, form, v.Button, v.progress, v.Error)
	v.view = container.NewCenter(container.NewGridWrap(fyne.NewSize(460, box.MinSize().Height+60), box))
	return v
}

// View is the form's canvas object.
func (v *LoginView) View() fyne.CanvasObject { return v.view }

func (v *LoginView) showError(msg string) {
	v.Error.SetText(msg)
	v.Error.Show()
}

func (v *LoginView) busy(on bool) {
	if on {
		v.Error.Hide()
		v.Button.Disable()
		v.progress.Show()
		v.progress.Start()
		return
	}
	v.Button.Enable()
	v.progress.Stop()
	v.progress.Hide()
}

// LoginError explains a sign-in failure to the user.
func LoginError(err error) string {
	switch {
	case errors.Is(err, session.ErrUnreachable):
		return T("login.err_unreachable")
	case errors.Is(err, session.ErrNotMatrixServer):
		return T("login.err_not_matrix")
	case errors.Is(err, session.ErrLoginRefused):
		return T("login.err_refused")
	case errors.Is(err, session.ErrPolicyBlocked):
		what, todo := BlockedTexts(session.BlockCauseOf(err))
		return T("login.err_blocked", what, todo)
	case errors.Is(err, session.ErrPolicyDenied):
		return T("login.err_policy")
	case errors.Is(err, session.ErrKeyringUnavailable), errors.Is(err, session.ErrNoStoreSecret):
		return T("login.err_keyring")
	case errors.Is(err, session.ErrAlreadyLoggedIn):
		return T("login.err_already")
	}
	return T("login.err_other", err)
}

// UnlockView asks for the store passphrase when the account's store is locked with one.
type UnlockView struct {
	Passphrase *widget.Entry
	Button     *widget.Button
	Error      *widget.Label
	view       fyne.CanvasObject
}

// NewUnlockView builds the form; open tries a passphrase and onDone gets the opened session.
func NewUnlockView(ctx context.Context, open func(ctx context.Context, passphrase string) (*session.Session, error), onDone func(*session.Session)) *UnlockView {
	v := &UnlockView{Passphrase: widget.NewPasswordEntry(), Error: widget.NewLabel("")}
	v.Error.Importance = widget.DangerImportance
	v.Error.Wrapping = fyne.TextWrapWord
	v.Error.Hide()
	submit := func() {
		p := v.Passphrase.Text
		if p == "" {
			return
		}
		v.Button.Disable()
		go func() {
			s, err := open(ctx, p)
			do(func() {
				v.Button.Enable()
				if err != nil {
					if errors.Is(err, session.ErrWrongPassphrase) {
						v.Error.SetText(T("unlock.wrong"))
					} else {
						v.Error.SetText(T("open_failed", err))
					}
					v.Error.Show()
					v.Passphrase.SetText("")
					return
				}
				onDone(s)
			})
		}()
	}
	v.Button = widget.NewButton(T("unlock.button"), submit)
	v.Button.Importance = widget.HighImportance
	v.Passphrase.OnSubmitted = func(string) { submit() }
	title := widget.NewLabel(T("unlock.title"))
	title.TextStyle.Bold = true
	intro := widget.NewLabel(T("unlock.intro"))
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, intro, v.Passphrase, v.Button, v.Error)
	v.view = container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height+60), box))
	return v
}

// View is the form's canvas object.
func (v *UnlockView) View() fyne.CanvasObject { return v.view }
