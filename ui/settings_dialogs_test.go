package ui

import (
	"context"
	"image/color"
	"os"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

func TestPrefsRoundTrip(t *testing.T) {
	a := test.NewTempApp(t)
	p := NewPrefs(a.Preferences())
	if p.Language() != LangFromEnv(os.Getenv) || p.Theme() != ThemeSystem || p.TextSize() != 100 || p.ExcludeInsecureDevices() {
		t.Fatalf("defaults: %q %q %d %v", p.Language(), p.Theme(), p.TextSize(), p.ExcludeInsecureDevices())
	}
	p.SetLanguage("en")
	p.SetTheme(ThemeDark)
	p.SetTextSize(130)
	p.SetExcludeInsecureDevices(true)
	q := NewPrefs(a.Preferences()) // a second reader sees what the first stored
	if q.Language() != "en" || q.Theme() != ThemeDark || q.TextSize() != 130 || !q.ExcludeInsecureDevices() {
		t.Fatalf("round trip: %q %q %d %v", q.Language(), q.Theme(), q.TextSize(), q.ExcludeInsecureDevices())
	}
	p.SetLanguage("xx") // unknown: ignored
	p.SetTheme("purple")
	p.SetTextSize(500)
	if q.Language() != "en" || q.Theme() != ThemeSystem || q.TextSize() != TextSizeMax {
		t.Fatalf("invalid values: %q %q %d", q.Language(), q.Theme(), q.TextSize())
	}
	p.SetTextSize(10)
	if q.TextSize() != TextSizeMin {
		t.Fatalf("too small: %d", q.TextSize())
	}
	// Values written by someone else (an older version, a hand-edited file) read as defaults.
	a.Preferences().SetString(prefLanguage, "klingonisch")
	a.Preferences().SetString(prefTheme, "neon")
	a.Preferences().SetInt(prefTextSize, 9999)
	if q.Language() != LangFromEnv(os.Getenv) || q.Theme() != ThemeSystem || q.TextSize() != TextSizeMax {
		t.Fatalf("foreign values: %q %q %d", q.Language(), q.Theme(), q.TextSize())
	}
}

func TestAppThemeScalesAndForcesVariant(t *testing.T) {
	base := theme.DefaultTheme()
	bg := theme.ColorNameBackground
	dark := NewAppTheme(nil, ThemeDark, 150)
	if !sameColor(dark.Color(bg, theme.VariantLight), base.Color(bg, theme.VariantDark)) {
		t.Error("dark theme shows the light background")
	}
	if sameColor(base.Color(bg, theme.VariantLight), base.Color(bg, theme.VariantDark)) {
		t.Fatal("test is void: light and dark backgrounds are equal")
	}
	light := NewAppTheme(nil, ThemeLight, 100)
	if !sameColor(light.Color(bg, theme.VariantDark), base.Color(bg, theme.VariantLight)) {
		t.Error("light theme shows the dark background")
	}
	system := NewAppTheme(nil, ThemeSystem, 100)
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		if !sameColor(system.Color(bg, v), base.Color(bg, v)) {
			t.Errorf("system theme does not follow variant %d", v)
		}
	}
	for _, n := range []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNamePadding, theme.SizeNameHeadingText, theme.SizeNameInlineIcon} {
		if got, want := dark.Size(n), base.Size(n)*1.5; got != want {
			t.Errorf("150 %% %s: %v, want %v", n, got, want)
		}
		if got := system.Size(n); got != base.Size(n) {
			t.Errorf("100 %% %s: %v, want %v", n, got, base.Size(n))
		}
	}
	if got, want := NewAppTheme(nil, "bogus", 10).Size(theme.SizeNameText), base.Size(theme.SizeNameText)*0.8; got != want {
		t.Errorf("clamped small size: %v, want %v", got, want)
	}
	if dark.Font(fyne.TextStyle{Bold: true}) != base.Font(fyne.TextStyle{Bold: true}) || dark.Icon(theme.IconNameHome) != base.Icon(theme.IconNameHome) {
		t.Error("fonts or icons differ from the base theme")
	}

	a := test.NewTempApp(t)
	defer SetLang(Lang())
	p := NewPrefs(a.Preferences())
	p.SetTheme(ThemeDark)
	p.SetTextSize(120)
	p.SetLanguage("en")
	ApplyPrefs(a, p)
	th := a.Settings().Theme()
	if got, want := th.Size(theme.SizeNameText), base.Size(theme.SizeNameText)*1.2; got != want {
		t.Errorf("applied text size: %v, want %v", got, want)
	}
	if !sameColor(th.Color(bg, theme.VariantLight), base.Color(bg, theme.VariantDark)) {
		t.Error("applied theme is not dark")
	}
	if Lang() != "en" {
		t.Errorf("applied language: %q", Lang())
	}
}

// Switching the language in the settings calls the app's hook with T already in English, stores
// the choice, and rebuilds the dialog in English; theme and text size apply at once.
func TestSettingsAppearance(t *testing.T) {
	a := test.NewTempApp(t)
	useTestUIQueue(t)
	SetLang("de")
	t.Cleanup(func() { SetLang("de") })
	prefs := NewPrefs(a.Preferences())
	w := dlgWindow(t)
	changed := 0
	var titleAtHook string
	hooks := SettingsHooks{LanguageChanged: func() { changed++; titleAtHook = T("settings.title") }}
	sv := newSettingsView(context.Background(), w, nil, prefs, hooks, -1)
	var next *settingsView
	sv.rebuilt = func(n *settingsView) { next = n }
	sv.show()
	if len(sv.tabs.Items) != 2 || sv.tabs.Items[0].Text != "Darstellung" || sv.tabs.Items[1].Text != "Über" || !dlgHasLabel(dlgTop(w), "Einstellungen") {
		t.Fatalf("without a session: tabs %d, labels %q", len(sv.tabs.Items), dlgLabels(dlgTop(w)))
	}
	if sv.lang.Selected != "Deutsch" || !slices.Equal(sv.lang.Options, []string{"Deutsch", "English"}) {
		t.Fatalf("language choice: %q of %q", sv.lang.Selected, sv.lang.Options)
	}
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, w, "appearance")
	}
	sv.lang.SetSelected("English")
	if changed != 1 || titleAtHook != "Settings" || Lang() != "en" || prefs.Language() != "en" {
		t.Fatalf("after switching: hook %d (title %q), lang %q, stored %q", changed, titleAtHook, Lang(), prefs.Language())
	}
	if next == nil || dlgTop(w) == nil || !dlgHasLabel(dlgTop(w), "Settings") || next.tabs.Items[0].Text != "Appearance" {
		t.Fatalf("dialog not rebuilt in English: %q", dlgLabels(dlgTop(w)))
	}
	if len(w.Canvas().Overlays().List()) != 1 {
		t.Fatalf("%d dialogs open, want 1", len(w.Canvas().Overlays().List()))
	}

	bg := theme.ColorNameBackground
	next.variant.SetSelected("Dark")
	if prefs.Theme() != ThemeDark || !sameColor(a.Settings().Theme().Color(bg, theme.VariantLight), theme.DefaultTheme().Color(bg, theme.VariantDark)) {
		t.Fatalf("dark theme not applied: %q", prefs.Theme())
	}
	next.textSize.SetValue(140)
	if next.sizeText.Text != "140 %" {
		t.Errorf("size label %q", next.sizeText.Text)
	}
	next.textSize.OnChangeEnded(140)
	if got, want := a.Settings().Theme().Size(theme.SizeNameText), theme.DefaultTheme().Size(theme.SizeNameText)*1.4; prefs.TextSize() != 140 || got != want {
		t.Fatalf("text size: stored %d, theme %v want %v", prefs.TextSize(), got, want)
	}
	next.lang.SetSelected("Deutsch")
	if changed != 2 || Lang() != "de" || !dlgHasLabel(dlgTop(w), "Einstellungen") {
		t.Fatalf("back to German: %d %q %q", changed, Lang(), dlgLabels(dlgTop(w)))
	}
}

// dlgIconButtons lists the visible buttons under o that show the icon.
func dlgIconButtons(o fyne.CanvasObject, icon fyne.Resource) []*widget.Button {
	var out []*widget.Button
	dlgWalk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Icon != nil && b.Icon.Name() == icon.Name() {
			out = append(out, b)
		}
	})
	return out
}

// The devices tab lists the real devices with their verification; renaming goes to the server;
// signing out another device asks for the password and refuses a wrong one.
func TestSettingsDevicesThroughDendrite(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	alice := newFlowUser(t, srv, "alice")
	first := alice.login(t)
	second := (&flowUser{Local: alice.Local, ID: alice.ID, Dir: t.TempDir(), srv: srv}).login(t)
	w := dlgWindow(t)
	sv := newSettingsView(ctx, w, first, nil, SettingsHooks{}, settingsTabDevices)
	dv := sv.devices
	loads, secLoads := 0, 0
	dv.onLoaded = func() { loads++ }
	sv.security.onLoaded = func() { secLoads++ }
	var dlg dialog.Dialog
	dv.onDialog = func(d dialog.Dialog) { dlg = d }
	sv.show()
	q.until(t, "devices and security state", func() bool { return loads >= 1 && secLoads >= 1 })
	if len(sv.tabs.Items) != 6 || sv.tabs.SelectedIndex() != settingsTabDevices { // account, devices, security, notifications, appearance, about
		t.Fatalf("tabs: %d, selected %d", len(sv.tabs.Items), sv.tabs.SelectedIndex())
	}
	me, other := first.Account().DeviceID, second.Account().DeviceID
	if len(dv.devs) != 2 || dv.devs[0].DeviceID != me || dv.devs[1].DeviceID != other {
		t.Fatalf("devices: %+v", dv.devs)
	}
	top := dlgTop(w)
	for _, want := range []string{T("settings.devices.this_device", "BOS Messenger"), "BOS Messenger", T("settings.devices.id", me),
		T("settings.devices.id", other), "verifiziert", "nicht verifiziert", "Angemeldete Geräte: 2"} {
		if !dlgHasLabel(top, want) {
			t.Errorf("label %q missing; labels %q", want, dlgLabels(top))
		}
	}
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, w, "devices")
		sv.tabs.SelectIndex(settingsTabSecurity)
		shot(t, w, "security")
		sv.tabs.SelectIndex(settingsTabAccount)
		shot(t, w, "account")
		sv.tabs.SelectIndex(settingsTabDevices)
	}
	if !strings.HasPrefix(sv.security.ownState.Text, "Dieses Gerät ist verifiziert.") {
		t.Errorf("security tab: %q", sv.security.ownState.Text)
	}

	// Rename the other device (second row).
	renames := dlgIconButtons(top, theme.DocumentCreateIcon())
	if len(renames) != 2 {
		t.Fatalf("%d rename buttons", len(renames))
	}
	test.Tap(renames[1])
	if dlg == nil {
		t.Fatal("no rename dialog")
	}
	entries := dlgEntries(dlgTop(w))
	if len(entries) != 1 || entries[0].Text != "BOS Messenger" {
		t.Fatalf("rename entry: %d", len(entries))
	}
	entries[0].SetText("Einsatzleitwagen 1")
	test.Tap(dlgButton(t, dlgTop(w), "Speichern"))
	q.until(t, "the renamed device", func() bool { return loads >= 2 })
	if dv.devs[1].Name != "Einsatzleitwagen 1" || !dlgHasLabel(dlgTop(w), "Einsatzleitwagen 1") {
		t.Fatalf("after rename: %+v", dv.devs)
	}
	devs, err := second.Devices(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(devs, func(d session.DeviceInfo) bool { return d.DeviceID == other }); i < 0 || devs[i].Name != "Einsatzleitwagen 1" {
		t.Fatalf("server does not have the new name: %+v", devs)
	}

	// Sign the other device out: a wrong password is refused, the right one works.
	removes := dlgIconButtons(dlgTop(w), theme.LogoutIcon())
	if len(removes) != 1 {
		t.Fatalf("%d sign-out buttons (this device must have none)", len(removes))
	}
	dlg = nil
	test.Tap(removes[0])
	if dlg == nil {
		t.Fatal("no sign-out dialog")
	}
	pw := dlgEntries(dlgTop(w))
	if len(pw) != 1 || !pw[0].Password {
		t.Fatal("no password entry")
	}
	test.Tap(dlgButton(t, dlgTop(w), "Gerät abmelden"))
	if !dlgHasLabel(dlgTop(w), T("settings.devices.password_required")) {
		t.Fatalf("empty password: %q", dlgLabels(dlgTop(w)))
	}
	test.Type(pw[0], "falsch")
	open := dlg
	dlg = nil
	test.Tap(dlgButton(t, dlgTop(w), "Gerät abmelden"))
	q.until(t, "the wrong password answer", func() bool { return dlg != nil })
	if dlg != open || !dlgHasLabel(dlgTop(w), "Falsches Passwort.") || pw[0].Text != "" {
		t.Fatalf("wrong password: %q", dlgLabels(dlgTop(w)))
	}
	test.Type(pw[0], flowPassword)
	test.Tap(dlgButton(t, dlgTop(w), "Gerät abmelden"))
	q.until(t, "the device list without the other device", func() bool { return loads >= 3 })
	if len(dv.devs) != 1 || dv.devs[0].DeviceID != me {
		t.Fatalf("after sign-out: %+v", dv.devs)
	}
	if _, err := second.SyncOnce(ctx, 0); err == nil {
		t.Fatal("the signed-out device can still sync")
	}
}

// Key backup through the security tab: set up with a passphrase (the recovery key is shown once,
// can be copied, and the dialog closes only after the user confirms keeping it), then restore on a
// new device with the recovery key; a wrong key is refused.
func TestSettingsKeyBackupThroughDendrite(t *testing.T) {
	srv := testserver.Shared(t)
	a := test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	alice := newFlowUser(t, srv, "alice")
	first := alice.login(t)
	w := dlgWindow(t)
	sec := newSecurityView(ctx, w, first, NewPrefs(a.Preferences()))
	var key string
	sec.onRecoveryKey = func(k string) { key = k }
	sec.askCreate()
	entries := dlgEntries(dlgTop(w))
	if len(entries) != 2 {
		t.Fatalf("%d passphrase entries", len(entries))
	}
	test.Type(entries[0], "kurz")
	test.Type(entries[1], "kurz")
	test.Tap(dlgButton(t, dlgTop(w), "Einrichten"))
	if !dlgHasLabel(dlgTop(w), T("settings.backup.passphrase_short", minBackupPassphrase)) {
		t.Fatalf("short passphrase: %q", dlgLabels(dlgTop(w)))
	}
	entries[0].SetText("Brandschutz-Übung-2026")
	entries[1].SetText("Brandschutz-Übung-2025")
	test.Tap(dlgButton(t, dlgTop(w), "Einrichten"))
	if !dlgHasLabel(dlgTop(w), T("settings.backup.passphrase_mismatch")) {
		t.Fatalf("mismatch: %q", dlgLabels(dlgTop(w)))
	}
	entries[1].SetText("Brandschutz-Übung-2026")
	test.Tap(dlgButton(t, dlgTop(w), "Einrichten"))
	q.until(t, "the recovery key", func() bool { return key != "" })
	top := dlgTop(w)
	if !dlgHasLabel(top, key) || !dlgHasLabel(top, T("settings.backup.key_warning")) {
		t.Fatalf("recovery key dialog: %q", dlgLabels(top))
	}
	test.Tap(dlgButton(t, top, "Kopieren"))
	if got := a.Clipboard().Content(); got != key {
		t.Fatalf("clipboard %q, want the key", got)
	}
	done := dlgButton(t, top, "Fertig")
	if !done.Disabled() {
		t.Fatal("the key dialog can be closed before confirming")
	}
	var check *widget.Check
	dlgWalk(top, func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok {
			check = c
		}
	})
	test.Tap(check)
	test.Tap(done)
	if dlgTop(w) != nil {
		t.Fatal("key dialog still open")
	}

	// A new device restores with the recovery key (a wrong one first).
	third := (&flowUser{Local: alice.Local, ID: alice.ID, Dir: t.TempDir(), srv: srv}).login(t)
	sec3 := newSecurityView(ctx, w, third, nil)
	restored := 0
	var restoreErr error
	sec3.onRestored = func(err error) { restored++; restoreErr = err }
	sec3.askRestore()
	test.Type(dlgEntries(dlgTop(w))[0], "EsTm 1234 falsch")
	test.Tap(dlgButton(t, dlgTop(w), "Wiederherstellen"))
	q.until(t, "the wrong key refused", func() bool { return restored == 1 })
	if restoreErr == nil || dlgTop(w) == nil {
		t.Fatal("a wrong recovery key was accepted")
	}
	dlgTop(w).Hide()
	sec3.askRestore()
	dlgEntries(dlgTop(w))[0].SetText(key)
	test.Tap(dlgButton(t, dlgTop(w), "Wiederherstellen"))
	q.until(t, "the restore", func() bool { return restored == 2 })
	if restoreErr != nil {
		t.Fatalf("restore: %v", restoreErr)
	}
	if !dlgHasLabel(dlgTop(w), T("settings.backup.restored")) {
		t.Fatalf("restored: %q", dlgLabels(dlgTop(w)))
	}
}
