package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	hklm    = `Gruppenrichtlinie HKLM\SOFTWARE\Policies\BOSMessenger`
	hkcu    = `Gruppenrichtlinie HKCU\SOFTWARE\Policies\BOSMessenger`
	hklmRec = hklm + `\Recommended`
	hkcuRec = hkcu + `\Recommended`
)

func resolveRegistry(t *testing.T, reg fakeRegistry) (*Policy, error) {
	t.Helper()
	srcs, err := RegistrySources(reg)
	if err != nil {
		return nil, err
	}
	return Resolve(srcs...)
}

func TestRegistryMapping(t *testing.T) {
	lm, cu := newFakeKey(), newFakeKey()
	lm.dword("bos_mode", 1).dword("Max_Upload_MB", 25).sz("notification_content", "none").
		list("allowed_homeservers", "Leitstelle.example.de", "feuerwehr.example.de")
	lm.sub("allowed_homeservers").sz("3", "thw.example.de") // 1, 2, 3 in numeric order
	lm.sub("Recommended").sz("theme", "dark").dword("keep_messages_days", 30)
	cu.dword("max_upload_mb", 50).dword("disable_key_export", 1) // HKLM wins for max_upload_mb
	cu.sub("Recommended").sz("theme", "light").sz("language", "en").dword("keep_messages_days", 7)
	p, err := resolveRegistry(t, fakeRegistry{"HKLM": lm, "HKCU": cu})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Setting{
		KeyBOSMode:             {Value: true, Source: hklm, Enforced: true},
		KeyMaxUploadMB:         {Value: 25, Source: hklm, Enforced: true},
		KeyNotificationContent: {Value: "none", Source: hklm, Enforced: true},
		KeyAllowedHomeservers:  {Value: []string{"leitstelle.example.de", "feuerwehr.example.de", "thw.example.de"}, Source: hklm, Enforced: true},
		KeyDisableKeyExport:    {Value: true, Source: hkcu, Enforced: true},
		KeyTheme:               {Value: "dark", Source: hklmRec},
		KeyKeepMessagesDays:    {Value: 30, Source: hklmRec},
		KeyLanguage:            {Value: "en", Source: hkcuRec},
		KeyRequireEncryption:   {Value: true, Source: SourceDefault, Enforced: true}, // BOS default under managed bos_mode
	}
	for key, w := range want {
		s := p.Setting(key)
		if !equalValue(s.Value, w.Value) || s.Source != w.Source || s.Enforced != w.Enforced {
			t.Errorf("%s = %+v, want %+v", key, s, w)
		}
		if kind := SourceKind(s.Source); key != KeyRequireEncryption && kind != KindGPO {
			t.Errorf("%s: kind %s", key, kind)
		}
	}
	// the conflict HKLM/HKCU is reported, naming both and the winner
	all := strings.Join(p.Warnings, "\n")
	if !strings.Contains(all, "max_upload_mb is set by "+hklm+" and by "+hkcu+"; "+hklm+" wins") {
		t.Errorf("no conflict warning: %q", all)
	}
}

func equalValue(a, b any) bool {
	if la, ok := a.([]string); ok {
		lb, ok := b.([]string)
		return ok && slices.Equal(la, lb)
	}
	return a == b
}

func TestRegistryWrongTypesNameSourceAndKey(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(k *fakeKey)
		want string
	}{
		{"bool as string", func(k *fakeKey) { k.sz("app_lock", "true") }, hklm + `: managed.app_lock: expected true or false, got REG_SZ "true"`},
		{"bool as 2", func(k *fakeKey) { k.dword("app_lock", 2) }, "managed.app_lock: expected true or false, got REG_DWORD 2"},
		{"int as string", func(k *fakeKey) { k.sz("max_upload_mb", "25") }, "managed.max_upload_mb"},
		{"int out of range", func(k *fakeKey) { k.dword("max_upload_mb", 5000) }, "managed.max_upload_mb: expected a number between 1 and 100, got 5000"},
		{"enum wrong", func(k *fakeKey) { k.sub("Recommended").sz("theme", "pink") }, hklmRec + ": recommended.theme"},
		{"string as dword", func(k *fakeKey) { k.dword("homeserver", 1) }, "managed.homeserver: expected a string, got REG_DWORD 1"},
		{"list entry name", func(k *fakeKey) { k.sub("allowed_homeservers").sz("first", "a.de") }, "allowed_homeservers: list entry \"first\""},
		{"list entry type", func(k *fakeKey) { k.sub("allowed_homeservers").dword("1", 1) }, "allowed_homeservers: list entry 1: expected REG_SZ"},
		{"list as value", func(k *fakeKey) { k.sz("allowed_homeservers", "a.de") }, "managed.allowed_homeservers"},
		{"bad server in list", func(k *fakeKey) { k.list("allowed_homeservers", "not a server") }, "managed.allowed_homeservers"},
	} {
		lm := newFakeKey()
		c.set(lm)
		_, err := resolveRegistry(t, fakeRegistry{"HKLM": lm})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

func TestRegistryUnknownNamesAreWarnings(t *testing.T) {
	lm := newFakeKey().dword("screenshots", 1)
	lm.sub("Something")
	p, err := resolveRegistry(t, fakeRegistry{"HKLM": lm})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(p.Warnings, "\n")
	for _, w := range []string{"managed.screenshots", "unknown subkey something"} {
		if !strings.Contains(all, w) {
			t.Errorf("warnings %q lack %q", all, w)
		}
	}
	if p, err := resolveRegistry(t, fakeRegistry{}); err != nil || p.Setting(KeyBOSMode).Source != SourceDefault {
		t.Fatalf("no policy keys: %v", err)
	}
}

func TestManagedPrefsUserBeforeComputer(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "testdata/user.plist", filepath.Join(dir, "alice", AppID+".plist"))   // XML
	copyFile(t, "testdata/computer.plist", filepath.Join(dir, AppID+".plist"))        // binary
	copyFile(t, "testdata/computer.plist", filepath.Join(dir, "bob", AppID+".plist")) // another user's
	srcs, err := ManagedPrefsSources(dir, "alice", AppID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Resolve(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	user := SourcePrefixMDM + filepath.Join(dir, "alice", AppID+".plist")
	computer := SourcePrefixMDM + filepath.Join(dir, AppID+".plist")
	want := map[string]Setting{
		KeyBOSMode:             {Value: true, Source: user, Enforced: true},
		KeyNotificationContent: {Value: "none", Source: user, Enforced: true},
		KeyMaxUploadMB:         {Value: 25, Source: user, Enforced: true},
		KeyAllowedHomeservers:  {Value: []string{"leitstelle.example.de", "feuerwehr.example.de"}, Source: user, Enforced: true},
		KeyTheme:               {Value: "dark", Source: user},
		KeyKeepMessagesDays:    {Value: 30, Source: computer, Enforced: true},
		KeyLanguage:            {Value: "en", Source: computer, Enforced: true},
		KeyDisableKeyExport:    {Value: true, Source: computer, Enforced: true},
	}
	for key, w := range want {
		s := p.Setting(key)
		if !equalValue(s.Value, w.Value) || s.Source != w.Source || s.Enforced != w.Enforced {
			t.Errorf("%s = %+v, want %+v", key, s, w)
		}
	}
	if SourceKind(user) != KindMDM {
		t.Errorf("kind of %s", user)
	}
	if strings.Contains(strings.Join(p.Warnings, "\n"), "PayloadUUID") {
		t.Errorf("profile keys reported: %q", p.Warnings)
	}
	// a user name with a path in it is not followed
	if srcs, err := ManagedPrefsSources(dir, "../alice", AppID); err != nil || len(srcs) != 1 || srcs[0].Name != computer {
		t.Errorf("user ../alice: %v %v", srcs, err)
	}
}

func TestPlistErrorsNameSourceAndKey(t *testing.T) {
	for doc, want := range map[string]string{
		`<plist><dict><key>app_lock</key><string>yes</string></dict></plist>`:                                 "managed.app_lock",
		`<plist><dict><key>max_upload_mb</key><real>2.5</real></dict></plist>`:                                "managed.max_upload_mb",
		`<plist><dict><key>homeserver</key><date>2026-01-01T00:00:00Z</date></dict></plist>`:                  "homeserver",
		`<plist><dict><key>recommended</key><string>x</string></dict></plist>`:                                "recommended is not a dictionary",
		`<plist><dict><key>recommended</key><dict><key>theme</key><integer>1</integer></dict></dict></plist>`: "recommended.theme",
		`<plist><array><string>x</string></array></plist>`:                                                    "not a property list dictionary",
		`<plist><dict><key>allowed_homeservers</key><array><integer>1</integer></array></dict></plist>`:       "managed.allowed_homeservers",
	} {
		src, err := ParsePlist("MDM test.plist", []byte(doc))
		if err == nil {
			_, err = Resolve(src)
		}
		if err == nil || !strings.Contains(err.Error(), "MDM test.plist") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v (want %q)", doc, err, want)
		}
	}
}

func TestAppIDMatchesFyneApp(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*ID\s*=\s*"([^"]+)"`).FindSubmatch(data)
	if m == nil || string(m[1]) != AppID {
		t.Fatalf("FyneApp.toml ID %q, AppID %q", m, AppID)
	}
}

func TestPolicyDropInsMergeInNameOrder(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "policy.json")
	write(t, main, `{"managed": {"bos_mode": true, "max_upload_mb": 10}, "recommended": {"theme": "light", "language": "en"}}`)
	write(t, filepath.Join(dir, "policy.d", "20-later.json"), `{"managed": {"max_upload_mb": 30}, "recommended": {"theme": "dark"}}`)
	write(t, filepath.Join(dir, "policy.d", "10-first.json"), `{"managed": {"max_upload_mb": 20, "app_lock": true}}`)
	write(t, filepath.Join(dir, "policy.d", "30-rec.json"), `{"recommended": {"app_lock": false, "bos_mode": false}}`)
	write(t, filepath.Join(dir, "policy.d", "README"), `not json`)
	write(t, filepath.Join(dir, "policy.d", ".hidden.json"), `not json`)
	srcs, err := FileSources(main)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Resolve(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	d := func(n string) string { return filepath.Join(dir, "policy.d", n) }
	want := map[string]Setting{
		KeyMaxUploadMB: {Value: 30, Source: d("20-later.json"), Enforced: true},   // later file wins
		KeyAppLock:     {Value: true, Source: d("10-first.json"), Enforced: true}, // managed beats a later recommended
		KeyBOSMode:     {Value: true, Source: main, Enforced: true},
		KeyTheme:       {Value: "dark", Source: d("20-later.json")},
		KeyLanguage:    {Value: "en", Source: main},
	}
	for key, w := range want {
		if s := p.Setting(key); s.Value != w.Value || s.Source != w.Source || s.Enforced != w.Enforced {
			t.Errorf("%s = %+v, want %+v", key, s, w)
		}
	}
	if SourceKind(main) != KindFile || SourceKind(SourceDefault) != KindDefault {
		t.Error("SourceKind of files and defaults")
	}
	// a malformed drop-in is an error naming it and the key
	write(t, d("40-bad.json"), `{"managed": {"keep_messages_days": -1}}`)
	srcs, err = FileSources(main)
	if err == nil {
		_, err = Resolve(srcs...)
	}
	if err == nil || !strings.Contains(err.Error(), d("40-bad.json")) || !strings.Contains(err.Error(), "keep_messages_days") {
		t.Fatalf("bad drop-in: %v", err)
	}
	// no file, no dir: no sources
	if srcs, err := FileSources(filepath.Join(t.TempDir(), "policy.json")); err != nil || len(srcs) != 0 {
		t.Fatalf("nothing there: %v %v", srcs, err)
	}
}

func TestMobileManagedConfigCountsAfterOSChannels(t *testing.T) {
	t.Setenv(EnvPolicyFile, "")
	SetManagedConfig(&Source{Name: SourcePrefixMDM + "test", Managed: map[string]any{"app_lock": true}})
	defer SetManagedConfig(nil)
	srcs, err := Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) == 0 || srcs[len(srcs)-1].Name != SourcePrefixMDM+"test" {
		t.Fatalf("sources %+v", srcs)
	}
	// BOSMESSENGER_POLICY replaces every system source, the managed configuration too
	path := filepath.Join(t.TempDir(), "p.json")
	write(t, path, `{}`)
	t.Setenv(EnvPolicyFile, path)
	if srcs, err := Sources(); err != nil || len(srcs) != 1 || srcs[0].Name != path {
		t.Fatalf("with %s: %+v %v", EnvPolicyFile, srcs, err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, string(data))
}

func TestScreenshotProtectionWarnsWhereImpossible(t *testing.T) {
	p, err := resolveJSON(t, `{"managed": {"screenshot_protection": true}}`)
	if err != nil {
		t.Fatal(err)
	}
	for goos, warn := range map[string]bool{"linux": true, "darwin": true, "windows": false, "android": false} {
		if got := len(platformWarnings(p, goos)) > 0; got != warn {
			t.Errorf("%s: warning %v", goos, got)
		}
	}
	if p, _ := resolveJSON(t, `{}`); len(platformWarnings(p, "linux")) != 0 {
		t.Error("warning without the key")
	}
}
