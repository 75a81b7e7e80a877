package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/policy"
)

// The managed page shows every key with its value, the channel translated and a lock for the
// enforced ones.
func TestManagedPageListsEveryKeyWithSource(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	defer SetLang("de")
	reg := policy.Source{Name: policy.SourcePrefixGPO + `HKLM\SOFTWARE\Policies\BOSMessenger`,
		RecName:     policy.SourcePrefixGPO + `HKLM\SOFTWARE\Policies\BOSMessenger\Recommended`,
		Managed:     map[string]any{"max_upload_mb": uint64(25), "allowed_homeservers": []string{"a.example.de"}},
		Recommended: map[string]any{"theme": "dark"}}
	p, err := policy.Resolve(reg)
	if err != nil {
		t.Fatal(err)
	}
	rows := managedRows(p)
	if len(rows) != len(policy.Keys) {
		t.Fatalf("%d rows for %d keys", len(rows), len(policy.Keys))
	}
	sum := managedSummary(p)
	for _, want := range []string{"max_upload_mb\t25\tGruppenrichtlinie\ttrue", `allowed_homeservers	["a.example.de"]	Gruppenrichtlinie	true`,
		"theme\tdark\tGruppenrichtlinie\tfalse", "bos_mode\tfalse\tStandard\tfalse"} {
		if !strings.Contains(sum, want+"\n") {
			t.Errorf("page lacks %q:\n%s", want, sum)
		}
	}
	if rows[0].Key != "allowed_homeservers" || rows[1].Key != "max_upload_mb" || rows[2].Key != "theme" {
		t.Errorf("the keys the administration set do not come first: %v", rows[:3])
	}
	w := test.NewWindow(managedTab(p))
	defer w.Close()
	SetLang("en")
	if s := managedSummary(p); !strings.Contains(s, "max_upload_mb\t25\tGroup Policy\ttrue") {
		t.Errorf("English:\n%s", s)
	}
}

func prefsPolicy(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	src, err := policy.ParseJSON("/etc/bosmessenger/policy.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Resolve(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Enforced language and theme win over the user's choice and lock their controls (with a note
// naming the source); recommended ones replace the defaults until the user chooses.
func TestPolicyOverPrefsAndLockedControls(t *testing.T) {
	a := test.NewTempApp(t)
	useTestUIQueue(t)
	SetLang("de")
	t.Cleanup(func() { SetLang("de") })
	prefs := NewPrefs(a.Preferences())
	prefs.SetTheme(ThemeLight)
	prefs.SetPolicy(prefsPolicy(t, `{"managed": {"theme": "dark"}, "recommended": {"language": "en"}}`))
	if prefs.Theme() != ThemeDark {
		t.Fatalf("enforced theme: %q", prefs.Theme())
	}
	prefs.SetTheme(ThemeLight)
	if prefs.Theme() != ThemeDark {
		t.Fatalf("enforced theme changed by the user: %q", prefs.Theme())
	}
	if prefs.Language() != "en" {
		t.Fatalf("recommended language: %q", prefs.Language())
	}
	prefs.SetLanguage("de")
	if prefs.Language() != "de" {
		t.Fatalf("the user's language after a recommended one: %q", prefs.Language())
	}
	w := dlgWindow(t)
	sv := newSettingsView(context.Background(), w, nil, prefs, SettingsHooks{}, -1)
	sv.show()
	if !sv.variant.Disabled() || sv.lang.Disabled() {
		t.Fatalf("theme disabled %v, language disabled %v", sv.variant.Disabled(), sv.lang.Disabled())
	}
	if !dlgHasLabel(dlgTop(w), "🔒 Von der Verwaltung erzwungen (Datei: /etc/bosmessenger/policy.json)") {
		t.Fatalf("no lock note: %q", dlgLabels(dlgTop(w)))
	}
	// even a change that reaches the control does not change the enforced theme
	sv.variant.SetSelected(T("settings.theme.light"))
	if prefs.Theme() != ThemeDark {
		t.Fatalf("theme %q after selecting light", prefs.Theme())
	}
}

// exclude_insecure_devices enforced (BOS mode enforces it): the security tab's checkbox shows the
// policy's value, disabled, with the lock note naming the source; a recommended value or none
// leaves it to the user.
func TestExcludeInsecureLockedByPolicy(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	check := widget.NewCheck("nur verifizierte Geräte", nil)
	obj := excludeControl(prefsPolicy(t, `{"managed": {"exclude_insecure_devices": true}}`), check)
	if !check.Disabled() || !check.Checked {
		t.Fatalf("enforced: disabled %v, checked %v", check.Disabled(), check.Checked)
	}
	if !hasLabel(obj, "🔒 Von der Verwaltung erzwungen (Datei: /etc/bosmessenger/policy.json)") {
		t.Fatal("no lock note naming the source")
	}
	check = widget.NewCheck("nur verifizierte Geräte", nil)
	excludeControl(prefsPolicy(t, `{"recommended": {"exclude_insecure_devices": true}}`), check)
	if check.Disabled() {
		t.Fatal("a recommended value locked the checkbox")
	}
}

// disable_file_save: the save action of a file message is disabled with a lock and the note
// naming the source, saving is refused even when called, and the security tab shows the
// enforced exclude_insecure_devices locked (the wiring of excludeControl).
func TestFileSaveActionLockedByPolicy(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	u := newFlowUser(t, srv, "save")
	p := prefsPolicy(t, `{"managed": {"disable_file_save": true, "exclude_insecure_devices": true}}`)
	scfg := session.ApplyPolicy(u.config(t), p)
	s, err := session.Login(testCtx(t), scfg, srv.URL, u.ID, flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	sh, a := openShellWith(t, q, u, scfg, ShellConfig{})
	q.drain()
	a.selectMessage(session.Message{EventID: "$datei", Kind: session.KindFile, Sender: "@thw:x", Body: "lage.pdf"})
	b := a.actBtns["action.save"]
	if !b.Visible() || !b.Disabled() || a.saveNote == nil || !a.saveNote.Visible() ||
		a.saveNote.Text != "🔒 Von der Verwaltung erzwungen (Datei: /etc/bosmessenger/policy.json)" {
		t.Fatalf("save action: shown %v, disabled %v, note %v", b.Visible(), b.Disabled(), a.saveNote)
	}
	a.saveFile(session.Message{EventID: "$datei", Kind: session.KindFile})
	if top := dlgTop(sh.w); top == nil || !strings.Contains(strings.Join(dlgLabels(top), "|"), "disable_file_save") {
		t.Fatal("saving was not refused")
	}
	sec := newSecurityView(testCtx(t), sh.w, sh.Session(), nil)
	if !hasLabel(sec.view, "🔒 Von der Verwaltung erzwungen (Datei: /etc/bosmessenger/policy.json)") {
		t.Fatal("the security tab's exclude_insecure_devices is not locked")
	}
}
