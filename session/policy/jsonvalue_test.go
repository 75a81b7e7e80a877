package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

const templatesJSON = `[{"id":"brand","room_name":"{date} {keyword}","invitees":["@wf:feuerwehr.example.de"],"alert":{"required":3}}]`

// sameJSON reports whether two JSON texts hold the same document.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%q: %v", b, err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// incident_templates arrives as JSON text through every channel: an array in a JSON policy file,
// REG_SZ or REG_MULTI_SZ lines in the registry, an array of dictionaries in a plist, a string in
// the mobile bundle; a file path is kept as it is.
func TestJSONKeyThroughEveryChannel(t *testing.T) {
	file, err := ParseJSON("policy.json", []byte(`{"managed": {"incident_templates": `+templatesJSON+`}}`))
	if err != nil {
		t.Fatal(err)
	}
	fileStr, _ := ParseJSON("policy2.json", []byte(`{"recommended": {"incident_templates": `+jsonString(templatesJSON)+`}}`))
	path, _ := ParseJSON("policy3.json", []byte(`{"managed": {"incident_templates": "/etc/bosmessenger/incident-templates.json"}}`))

	sz := newFakeKey().sz("incident_templates", templatesJSON)
	multi := newFakeKey()
	multi.values["incident_templates"] = RegValue{Kind: RegMultiSZ, Strings: []string{`[{"id":"brand",`, `"room_name":"{date} {keyword}",`,
		`"invitees":["@wf:feuerwehr.example.de"],"alert":{"required":3}}]`}}
	plistXML := `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>incident_templates</key><array><dict>
<key>id</key><string>brand</string><key>room_name</key><string>{date} {keyword}</string>
<key>invitees</key><array><string>@wf:feuerwehr.example.de</string></array>
<key>alert</key><dict><key>required</key><integer>3</integer></dict>
</dict></array></dict></plist>`
	plistSrc, err := ParsePlist("MDM test.plist", []byte(plistXML))
	if err != nil {
		t.Fatal(err)
	}
	bundle := Source{Name: "MDM bundle", Managed: map[string]any{"incident_templates": templatesJSON}}

	for name, srcs := range map[string]func() ([]Source, error){
		"file":     func() ([]Source, error) { return []Source{file}, nil },
		"file-str": func() ([]Source, error) { return []Source{fileStr}, nil },
		"reg-sz":   func() ([]Source, error) { return RegistrySources(fakeRegistry{"HKLM": sz}) },
		"reg-multi": func() ([]Source, error) {
			return RegistrySources(fakeRegistry{"HKLM": multi})
		},
		"plist":  func() ([]Source, error) { return []Source{plistSrc}, nil },
		"bundle": func() ([]Source, error) { return []Source{bundle}, nil },
	} {
		s, err := srcs()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, err := Resolve(s...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := p.String(KeyIncidentTemplates)
		if !sameJSON(t, got, templatesJSON) {
			t.Errorf("%s: %q, want %q", name, got, templatesJSON)
		}
		if want := name != "file-str"; p.Setting(KeyIncidentTemplates).Enforced != want {
			t.Errorf("%s: enforced %v", name, !want)
		}
	}
	p, err := Resolve(path)
	if err != nil || p.String(KeyIncidentTemplates) != "/etc/bosmessenger/incident-templates.json" || !IsJSONPath(p.String(KeyIncidentTemplates)) {
		t.Fatalf("path: %v %v", p, err)
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// Broken values are errors naming source and key (fail closed like every other key).
func TestJSONKeyRejectsBrokenValues(t *testing.T) {
	for raw, want := range map[string]string{
		`"[{\"id\": "`:               "not valid JSON",
		`"templates.json"`:           "absolute path",
		`42`:                         "expected JSON",
		`true`:                       "expected JSON",
		`"{\"templates\": [}"`:       "not valid JSON",
		`"C:\\\\Policies\\\\t.json"`: "", // a Windows path is fine
	} {
		src, err := ParseJSON("p.json", []byte(`{"managed": {"incident_templates": `+raw+`}}`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Resolve(src)
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", raw, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "p.json: managed.incident_templates: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
	reg := newFakeKey().dword("incident_templates", 1)
	if _, err := resolveRegistry(t, fakeRegistry{"HKLM": reg}); err == nil || !strings.Contains(err.Error(), "REG_DWORD") {
		t.Errorf("registry DWORD: %v", err)
	}
}
