package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func resolveJSON(t *testing.T, doc string) (*Policy, error) {
	t.Helper()
	src, err := ParseJSON("/etc/bosmessenger/policy.json", []byte(doc))
	if err != nil {
		return nil, err
	}
	return Resolve(src)
}

func TestDefaultsWithoutSources(t *testing.T) {
	p, err := Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if p.BOSMode() || p.RequireEncryption() || p.InvitesFrom() != InvitesFromAny || len(p.Warnings) != 0 {
		t.Fatalf("defaults: %+v", p.Settings())
	}
	for _, s := range p.Settings() {
		if s.Source != SourceDefault || s.Enforced {
			t.Errorf("%s: %+v", s.Key, s)
		}
	}
	if len(p.Settings()) != len(Keys) {
		t.Fatalf("%d settings for %d keys", len(p.Settings()), len(Keys))
	}
}

func TestBOSModeDefaultsAreEnforcedUnderManagedBOSMode(t *testing.T) {
	p, err := resolveJSON(t, `{"managed": {"bos_mode": true}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{KeyRequireEncryption, KeyExcludeInsecureDevices, KeyRequireDeviceVerification, KeyRemoteWipe} {
		s := p.Setting(key)
		if s.Value != true || !s.Enforced || s.Source != SourceDefault {
			t.Errorf("%s: %+v", key, s)
		}
	}
	if p.InvitesFrom() != InvitesFromVetted {
		t.Errorf("invites_from = %q", p.InvitesFrom())
	}
	if s := p.Setting(KeyBOSMode); s.Source != "/etc/bosmessenger/policy.json" || !s.Enforced {
		t.Errorf("bos_mode: %+v", s)
	}
	// recommended bos_mode: its defaults are not enforced
	p, err = resolveJSON(t, `{"recommended": {"bos_mode": true}}`)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Setting(KeyRequireEncryption); s.Value != true || s.Enforced {
		t.Errorf("recommended bos_mode: %+v", s)
	}
}

func TestManagedBeatsRecommendedAndExplicitBeatsBOSDefault(t *testing.T) {
	p, err := resolveJSON(t, `{"managed": {"bos_mode": true, "require_encryption": false},
		"recommended": {"require_encryption": true, "homeserver": "leitstelle.example.de"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Setting(KeyRequireEncryption); s.Value != false || !s.Enforced {
		t.Errorf("require_encryption: %+v", s)
	}
	if hs, locked := p.Homeserver(); hs != "leitstelle.example.de" || locked {
		t.Errorf("homeserver %q locked %v", hs, locked)
	}
}

func TestUnknownKeysAreWarnings(t *testing.T) {
	p, err := resolveJSON(t, `{"managed": {"bos_mode": false, "screenshots": false}, "recommended": {"colour": "dark"}, "extra": {}}`)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(p.Warnings, "\n")
	for _, want := range []string{"managed.screenshots", "recommended.colour", `section "extra"`} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings %q lack %q", all, want)
		}
	}
}

func TestWrongTypesAreErrorsNamingSourceAndKey(t *testing.T) {
	for _, doc := range []string{
		`{"managed": {"bos_mode": "yes"}}`,
		`{"managed": {"require_encryption": 1}}`,
		`{"recommended": {"federation_list_public_keys": "abc"}}`,
		`{"managed": {"federation_list_public_keys": ["AAAA"]}}`,
		`{"managed": {"federation_list_public_keys": [1]}}`,
		`{"managed": {"federation_list_url": "http://lists.example.de/list.jws"}}`,
		`{"managed": {"federation_list_url": "ftp://x/y"}}`,
		`{"managed": {"federation_list_url": "file://relative"}}`,
		`{"managed": {"invites_from": "everyone"}}`,
		`{"managed": {"allowed_homeservers": ["not a server"]}}`,
		`{"managed": {"homeserver": "@user:server"}}`,
		`{"managed": []}`,
		`[]`,
		`{`,
	} {
		_, err := resolveJSON(t, doc)
		if err == nil {
			t.Errorf("%s: accepted", doc)
			continue
		}
		if !strings.Contains(err.Error(), "/etc/bosmessenger/policy.json") {
			t.Errorf("%s: error does not name the source: %v", doc, err)
		}
		var m map[string]map[string]any
		if json.Unmarshal([]byte(doc), &m) == nil {
			for _, vals := range m {
				for k := range vals {
					if !strings.Contains(err.Error(), k) {
						t.Errorf("%s: error does not name the key: %v", doc, err)
					}
				}
			}
		}
	}
}

func TestListURLs(t *testing.T) {
	for _, ok := range []string{"https://liste.example.de/f.jws", "http://127.0.0.1:8080/f.jws", "http://localhost/f", "http://[::1]:9/x", "file:///etc/bosmessenger/list.jws"} {
		if err := ValidateListURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1/f", "https://", "file://host/x", "data:,x", "/etc/x"} {
		if ValidateListURL(bad) == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestEveryKeyIsDocumentedAndItsExampleValid(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "ADMIN.md"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range Keys {
		if slices.Contains(names, k.Name) {
			t.Errorf("key %s twice", k.Name)
		}
		names = append(names, k.Name)
		if k.DocDE == "" || k.DocEN == "" || k.Example == "" {
			t.Errorf("%s: doc or example missing", k.Name)
		}
		var v any
		if err := json.Unmarshal([]byte(k.Example), &v); err != nil {
			t.Errorf("%s: example %s: %v", k.Name, k.Example, err)
		} else if _, err := convert(k, v); err != nil {
			t.Errorf("%s: example %s: %v", k.Name, k.Example, err)
		}
		if _, err := convert(k, k.Default); err != nil {
			t.Errorf("%s: default: %v", k.Name, err)
		}
		if !strings.Contains(string(doc), "`"+k.Name+"`") {
			t.Errorf("docs/ADMIN.md does not document %s", k.Name)
		}
	}
}

func TestEnvOverridesSystemFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, []byte(`{"managed": {"require_encryption": true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvPolicyFile, path)
	p, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Setting(KeyRequireEncryption); s.Value != true || s.Source != path {
		t.Fatalf("%+v", s)
	}
	t.Setenv(EnvPolicyFile, path+".missing")
	if _, err := Load(); err == nil {
		t.Fatal("a missing BOSMESSENGER_POLICY file was accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"managed": {"bos_mode": true, "federation_list_url": "https://x.de/l", "federation_list_public_keys": ["3q0kT0bbd8yzq2bGg2D2pJ0m0aKXhA0Cw9mV1i1lQ0s="]}}`))
	f.Add([]byte(`{"recommended": {"allowed_homeservers": ["a.de", "[::1]:8448"], "invites_from": "any"}, "x": 1}`))
	f.Add([]byte(`{"managed": {"homeserver": "https://matrix.example.de", "unknown": null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := ParseJSON("fuzz", data)
		if err != nil {
			return
		}
		p, err := Resolve(src)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz") {
				t.Fatalf("error without source: %v", err)
			}
			return
		}
		for _, s := range p.Settings() {
			k, ok := Lookup(s.Key)
			if !ok {
				t.Fatalf("setting of unknown key %q", s.Key)
			}
			if _, err := convert(k, s.Value); err != nil {
				t.Fatalf("effective %s = %#v does not validate: %v", s.Key, s.Value, err)
			}
		}
	})
}

// docs/ADMIN.md holds MarkdownTable between its keys markers (UPDATE_ADMIN_DOC=1 rewrites it).
func TestAdminDocKeyTableIsGenerated(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "ADMIN.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	begin := strings.Index(doc, "<!-- keys:begin")
	end := strings.Index(doc, "<!-- keys:end -->")
	if begin < 0 || end < begin {
		t.Fatal("docs/ADMIN.md lacks the keys markers")
	}
	begin += strings.Index(doc[begin:], "\n") + 1
	if doc[begin:end] == MarkdownTable() {
		return
	}
	if os.Getenv("UPDATE_ADMIN_DOC") != "" {
		if err := os.WriteFile(path, []byte(doc[:begin]+MarkdownTable()+doc[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("docs/ADMIN.md's key table differs from the key table (run UPDATE_ADMIN_DOC=1 go test -tags goolm ./session/policy)")
}

// notification_content: sender by default, none in BOS mode (enforced with a managed bos_mode),
// and a value the admin sets, managed or recommended, wins over the BOS-mode default.
func TestNotificationContentDefaults(t *testing.T) {
	for _, tc := range []struct {
		doc, want string
		enforced  bool
	}{
		{`{}`, NotifySender, false},
		{`{"managed": {"bos_mode": true}}`, NotifyNone, true},
		{`{"managed": {"bos_mode": true, "notification_content": "full"}}`, NotifyFull, true},
		{`{"managed": {"bos_mode": true}, "recommended": {"notification_content": "sender"}}`, NotifySender, false},
	} {
		p, err := resolveJSON(t, tc.doc)
		if err != nil {
			t.Fatal(err)
		}
		if s := p.Setting(KeyNotificationContent); p.NotificationContent() != tc.want || s.Enforced != tc.enforced {
			t.Errorf("%s: %q (enforced %v), want %q (enforced %v)", tc.doc, p.NotificationContent(), s.Enforced, tc.want, tc.enforced)
		}
	}
}
