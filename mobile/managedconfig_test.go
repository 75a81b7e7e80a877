package mobile

import (
	"slices"
	"strings"
	"testing"

	"bosmessenger/session/policy"
)

func TestAndroidBundleMapping(t *testing.T) {
	// as the native side serialises a Bundle: bool, int, string, String[] and a joined list
	bundle := `{"bos_mode": true, "max_upload_mb": 25, "notification_content": "none",
		"allowed_homeservers": "leitstelle.example.de, feuerwehr.example.de\nthw.example.de,",
		"federation_list_public_keys": ["3q0kT0bbd8yzq2bGg2D2pJ0m0aKXhA0Cw9mV1i1lQ0s="],
		"recommended": {"theme": "dark", "keep_messages_days": 30}}`
	src, err := ParseBundle(Android, []byte(bundle))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Resolve(src)
	if err != nil {
		t.Fatal(err)
	}
	name := SourceName(Android)
	for key, want := range map[string]policy.Setting{
		policy.KeyBOSMode:             {Value: true, Enforced: true, Source: name},
		policy.KeyMaxUploadMB:         {Value: 25, Enforced: true, Source: name},
		policy.KeyNotificationContent: {Value: "none", Enforced: true, Source: name},
		policy.KeyTheme:               {Value: "dark", Source: name},
		policy.KeyKeepMessagesDays:    {Value: 30, Source: name},
	} {
		if s := p.Setting(key); s.Value != want.Value || s.Enforced != want.Enforced || s.Source != want.Source {
			t.Errorf("%s = %+v, want %+v", key, s, want)
		}
	}
	if l := p.AllowedHomeservers(); !slices.Equal(l, []string{"leitstelle.example.de", "feuerwehr.example.de", "thw.example.de"}) {
		t.Errorf("allowed_homeservers %q", l)
	}
	if len(p.PublicKeys()) != 1 || policy.SourceKind(name) != policy.KindMDM {
		t.Errorf("keys %d, kind %s", len(p.PublicKeys()), policy.SourceKind(name))
	}
}

func TestBundleErrorsNameSourceAndKey(t *testing.T) {
	t.Setenv(policy.EnvPolicyFile, "") // the system sources of this machine, and the bundle
	for bundle, want := range map[string]string{
		`{"app_lock": "true"}`:                       "managed.app_lock",
		`{"max_upload_mb": 2.5}`:                     "managed.max_upload_mb",
		`{"max_upload_mb": 99999999999999999999}`:    "managed.max_upload_mb",
		`{"idle_lock_minutes": "5"}`:                 "managed.idle_lock_minutes",
		`{"recommended": {"theme": "pink"}}`:         "recommended.theme",
		`{"recommended": []}`:                        "recommended is not an object",
		`{"allowed_homeservers": [1]}`:               "managed.allowed_homeservers",
		`{"allowed_homeservers": "a.de, not valid"}`: "managed.allowed_homeservers",
		`[]`:     "not a JSON object",
		`{} {}`:  "data after",
		`{"a":1`: "not a JSON object",
	} {
		err := ApplyManagedConfig(IOS, bundle)
		if err == nil || !strings.Contains(err.Error(), SourceName(IOS)) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v (want %q)", bundle, err, want)
		}
		// fail closed: until a good bundle arrives the policy does not load
		if _, err := policy.Load(); err == nil {
			t.Errorf("%s: policy.Load succeeded after a bad bundle", bundle)
		}
	}
	if err := ApplyManagedConfig(IOS, `{"app_lock": true}`); err != nil {
		t.Fatal(err)
	}
	defer ApplyManagedConfig(IOS, "")
	p, err := policy.Load()
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Setting(policy.KeyAppLock); s.Value != true || !s.Enforced || s.Source != SourceName(IOS) {
		t.Fatalf("app_lock %+v", s)
	}
	if err := ApplyManagedConfig(IOS, ""); err != nil {
		t.Fatal(err)
	}
	if p, err := policy.Load(); err != nil || p.Setting(policy.KeyAppLock).Source != policy.SourceDefault {
		t.Fatalf("after removal: %v", err)
	}
}

func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(`{"bos_mode": true, "allowed_homeservers": "a.de,b.de", "max_upload_mb": 10}`))
	f.Add([]byte(`{"recommended": {"theme": "dark", "language": "en"}, "keep_messages_days": 0}`))
	f.Add([]byte(`{"federation_list_public_keys": ["3q0kT0bbd8yzq2bGg2D2pJ0m0aKXhA0Cw9mV1i1lQ0s="], "x": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := ParseBundle(Android, data)
		if err != nil {
			if !strings.Contains(err.Error(), SourceName(Android)) {
				t.Fatalf("error without source: %v", err)
			}
			return
		}
		p, err := policy.Resolve(src)
		if err != nil {
			if !strings.Contains(err.Error(), SourceName(Android)) {
				t.Fatalf("error without source: %v", err)
			}
			return
		}
		for _, s := range p.Settings() {
			if _, ok := policy.Lookup(s.Key); !ok || s.Value == nil {
				t.Fatalf("setting %+v", s)
			}
		}
	})
}

// incident_templates (a JSON key) arrives as a string holding JSON (Android restrictions) or as
// JSON itself (iOS dictionaries passed on as JSON); numbers inside keep their value.
func TestBundleJSONKey(t *testing.T) {
	const want = `[{"alert":{"required":3},"id":"brand"}]`
	for platform, bundle := range map[string]string{
		Android: `{"incident_templates": "[{\"id\": \"brand\", \"alert\": {\"required\": 3}}]"}`,
		IOS:     `{"incident_templates": [{"id": "brand", "alert": {"required": 3}}]}`,
	} {
		src, err := ParseBundle(platform, []byte(bundle))
		if err != nil {
			t.Fatal(err)
		}
		p, err := policy.Resolve(src)
		if err != nil {
			t.Fatalf("%s: %v", platform, err)
		}
		got := strings.Join(strings.Fields(p.String(policy.KeyIncidentTemplates)), "")
		if got != want && got != `[{"id":"brand","alert":{"required":3}}]` {
			t.Errorf("%s: %q", platform, p.String(policy.KeyIncidentTemplates))
		}
	}
	src, _ := ParseBundle(Android, []byte(`{"incident_templates": "[{\"id\": "}`))
	if _, err := policy.Resolve(src); err == nil || !strings.Contains(err.Error(), "incident_templates: not valid JSON") {
		t.Errorf("broken JSON: %v", err)
	}
}
