package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session/policy"
)

// SettingsHooks tell the app about changes it must act on. Both run on the UI goroutine.
type SettingsHooks struct {
	// LanguageChanged runs after the UI language was switched (SetLang already called): the app
	// rebuilds its main view so that it shows the new language. The settings dialog rebuilds itself.
	LanguageChanged func()
	// SignedOut runs after this device was signed out (session.Logout succeeded: the session is
	// closed and the data dir wiped): the app stops its goroutines and shows the login.
	SignedOut func()
	// Activity, when set, is told of mouse work over the dialog (the app lock's idle time; the
	// main view's activity layer does not see dialogs). It may run often.
	Activity func()
}

// Settings tabs, in order.
const (
	settingsTabAccount = iota
	settingsTabDevices
	settingsTabSecurity
	settingsTabNotifications
	settingsTabAppearance
)

// settingsView is the settings dialog. UI goroutine only.
type settingsView struct {
	parent context.Context // the caller's, for a rebuilt dialog
	ctx    context.Context // ends when the dialog closes
	cancel context.CancelFunc
	w      fyne.Window
	s      Engine
	prefs  *Prefs
	hooks  SettingsHooks

	tabs     *container.AppTabs
	dlg      *dialog.CustomDialog
	devices  *devicesView
	security *securityView

	lang     *widget.Select
	variant  *widget.RadioGroup
	textSize *widget.Slider
	sizeText *widget.Label

	keywords *keywordsView // Benachrichtigungen (keywords_view.go)

	rebuilt func(*settingsView) // tests: the dialog that replaced this one after a language switch
}

// ShowSettings shows the settings dialog with the tabs Konto (account: user and device ID, sign
// out), Geräte (own devices: verify, rename, sign out), Sicherheit (this device's verification,
// key backup, key sharing), Benachrichtigungen (keywords) and Darstellung (language, theme, text
// size). With a nil session (not signed in yet) only Darstellung is shown. Preference changes apply at once (ApplyPrefs).
func ShowSettings(ctx context.Context, w fyne.Window, s Engine, prefs *Prefs, hooks SettingsHooks) {
	newSettingsView(ctx, w, s, prefs, hooks, -1).show()
}

func newSettingsView(ctx context.Context, w fyne.Window, s Engine, prefs *Prefs, hooks SettingsHooks, selected int) *settingsView {
	sv := &settingsView{parent: ctx, w: w, s: s, prefs: prefs, hooks: hooks}
	sv.ctx, sv.cancel = context.WithCancel(ctx)
	sv.tabs = container.NewAppTabs()
	if s != nil {
		sv.devices = newDevicesView(sv.ctx, w, s)
		sv.devices.verifyCtx = ctx
		sv.security = newSecurityView(sv.ctx, w, s, prefs)
		sv.security.verifyCtx = ctx
		sv.tabs.Append(container.NewTabItemWithIcon(T("settings.tab.account"), theme.AccountIcon(), sv.accountTab()))
		sv.tabs.Append(container.NewTabItemWithIcon(T("settings.tab.devices"), theme.ComputerIcon(), sv.devices.View()))
		sv.tabs.Append(container.NewTabItemWithIcon(T("settings.tab.security"), theme.VisibilityOffIcon(), sv.security.View()))
		sv.keywords = newKeywordsView(sv.ctx, w, s) // keywords_view.go
		sv.tabs.Append(container.NewTabItemWithIcon(T("settings.tab.notifications"), theme.MailComposeIcon(), sv.keywords.View()))
	}
	sv.tabs.Append(container.NewTabItemWithIcon(T("settings.tab.appearance"), theme.ColorPaletteIcon(), sv.appearanceTab()))
	var managed *container.TabItem
	if s != nil && s.ManagedPolicy() != nil { // managed_view.go
		managed = container.NewTabItemWithIcon(T("settings.tab.managed"), theme.SettingsIcon(), managedTab(s.ManagedPolicy()))
		sv.tabs.Append(managed)
	}
	sv.tabs.Append(container.NewTabItemWithIcon(T("settings.tab.about"), theme.InfoIcon(), aboutTab()))
	if s == nil {
		selected = 0
	}
	if selected >= 0 && selected < len(sv.tabs.Items) {
		sv.tabs.SelectIndex(selected)
	}
	sv.tabs.OnSelected = func(ti *container.TabItem) { Trace("settings_tab managed=%v", managed != nil && ti == managed) }
	var body fyne.CanvasObject = sv.tabs
	if hooks.Activity != nil {
		body = container.NewStack(newActivityLayer(hooks.Activity), sv.tabs) // activity.go
	}
	sv.dlg = dialog.NewCustomWithoutButtons(T("settings.title"), body, w)
	sv.dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.close"), func() { sv.dlg.Hide() })})
	sv.dlg.SetOnClosed(sv.cancel)
	// Wide enough for all seven tabs with German labels (else Fyne folds some into a menu).
	sv.dlg.Resize(fyne.NewSize(900, 560))
	return sv
}

// show shows the dialog and starts loading the session's data.
func (sv *settingsView) show() {
	sv.dlg.Show()
	if tracing() {
		// Where the tabs are, for the Xvfb screenshot test's clicks: the driver knows the
		// position once the dialog was drawn.
		time.AfterFunc(300*time.Millisecond, func() {
			do(func() {
				p := fyne.CurrentApp().Driver().AbsolutePositionForObject(sv.tabs)
				Trace("settings_shown x=%d y=%d w=%d scale=%.2f", int(p.X), int(p.Y), int(sv.tabs.Size().Width), sv.w.Canvas().Scale())
			})
		})
	}
	if sv.s != nil {
		sv.devices.reload()
		sv.security.reload()
		sv.keywords.reload()
	}
}

func (sv *settingsView) accountTab() fyne.CanvasObject {
	acc := sv.s.Account()
	field := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Selectable = true
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem(T("settings.account.user"), field(string(acc.UserID))),
		widget.NewFormItem(T("settings.account.device"), field(string(acc.DeviceID))),
		widget.NewFormItem(T("settings.account.homeserver"), field(acc.Homeserver)),
	)
	note := widget.NewLabel(T("settings.account.signout_note"))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	signOut := widget.NewButtonWithIcon(T("settings.account.signout"), theme.LogoutIcon(), sv.askSignOut)
	signOut.Importance = widget.DangerImportance
	return container.NewVScroll(container.NewVBox(form, widget.NewSeparator(), note, container.NewHBox(signOut)))
}

// askSignOut confirms and signs this device out.
func (sv *settingsView) askSignOut() {
	text := widget.NewLabel(T("settings.account.signout_question"))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(T("settings.account.signout"), T("settings.account.signout"), T("dlg.cancel"), text, func(ok bool) {
		if !ok {
			return
		}
		runBusy(context.WithoutCancel(sv.ctx), sv.w, T("settings.account.signing_out"), sv.s.Logout, func(err error) {
			if err != nil {
				showFailure(sv.w, T("settings.account.signout"), err)
				return
			}
			sv.dlg.Hide()
			if sv.hooks.SignedOut != nil {
				sv.hooks.SignedOut()
			}
		})
	}, sv.w)
	d.Resize(fyne.NewSize(440, 0))
	d.Show()
}

// language names, in their own language.
var languageNames = map[string]string{"de": "Deutsch", "en": "English"}

func languageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}

func (sv *settingsView) appearanceTab() fyne.CanvasObject {
	var langOpts []string
	codeOf := map[string]string{}
	for _, l := range Languages() {
		langOpts = append(langOpts, languageName(l))
		codeOf[languageName(l)] = l
	}
	sv.lang = widget.NewSelect(langOpts, nil)
	sv.lang.SetSelected(languageName(Lang()))
	sv.lang.OnChanged = func(name string) { sv.setLanguage(codeOf[name]) }

	variants := []string{T("settings.theme.system"), T("settings.theme.light"), T("settings.theme.dark")}
	variantOf := map[string]string{variants[0]: ThemeSystem, variants[1]: ThemeLight, variants[2]: ThemeDark}
	sv.variant = widget.NewRadioGroup(variants, nil)
	sv.variant.Horizontal = true
	current := ThemeSystem
	if sv.prefs != nil {
		current = sv.prefs.Theme()
	}
	for name, v := range variantOf {
		if v == current {
			sv.variant.SetSelected(name)
		}
	}
	sv.variant.Required = true
	sv.variant.OnChanged = func(name string) {
		if v, ok := variantOf[name]; ok && sv.prefs != nil {
			sv.prefs.SetTheme(v)
			sv.apply()
		}
	}

	size := TextSizeDefault
	if sv.prefs != nil {
		size = sv.prefs.TextSize()
	}
	sv.sizeText = widget.NewLabel(fmt.Sprintf("%d %%", size))
	sv.textSize = widget.NewSlider(TextSizeMin, TextSizeMax)
	sv.textSize.Step = TextSizeStep
	sv.textSize.SetValue(float64(size))
	sv.textSize.OnChanged = func(v float64) { sv.sizeText.SetText(fmt.Sprintf("%d %%", int(v))) }
	sv.textSize.OnChangeEnded = func(v float64) { sv.setTextSize(int(v)) }
	sample := widget.NewLabel(T("settings.text_size.sample"))
	sample.Wrapping = fyne.TextWrapWord

	if sv.prefs == nil {
		sv.variant.Disable()
		sv.textSize.Disable()
	}
	form := widget.NewForm(
		widget.NewFormItem(T("settings.language"), lockManaged(sv.prefs, policy.KeyLanguage, sv.lang)),
		widget.NewFormItem(T("settings.theme"), lockManaged(sv.prefs, policy.KeyTheme, sv.variant)),
		widget.NewFormItem(T("settings.text_size"), container.NewBorder(nil, nil, nil, sv.sizeText, sv.textSize)),
	)
	return container.NewVScroll(container.NewVBox(form, sample))
}

// apply puts the preferences into effect (theme, text size, language).
func (sv *settingsView) apply() {
	if sv.prefs != nil {
		ApplyPrefs(fyne.CurrentApp(), sv.prefs)
	}
}

// setTextSize stores and applies a text size in percent.
func (sv *settingsView) setTextSize(percent int) {
	if sv.prefs == nil {
		return
	}
	sv.prefs.SetTextSize(percent)
	sv.apply()
}

// setLanguage switches the UI language, tells the app, and rebuilds this dialog in the new language
// on the same tab.
func (sv *settingsView) setLanguage(code string) {
	if code == "" || code == Lang() {
		return
	}
	if sv.prefs != nil {
		sv.prefs.SetLanguage(code)
	}
	if !SetLang(code) {
		return
	}
	sv.apply()
	if sv.hooks.LanguageChanged != nil {
		sv.hooks.LanguageChanged()
	}
	tab := sv.tabs.SelectedIndex()
	sv.dlg.Hide()
	next := newSettingsView(sv.parent, sv.w, sv.s, sv.prefs, sv.hooks, tab)
	next.rebuilt = sv.rebuilt
	next.show()
	if sv.rebuilt != nil {
		sv.rebuilt(next)
	}
}
