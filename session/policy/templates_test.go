package policy

import (
	"bosmessenger/internal/testcache"
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var templateDir = filepath.Join("..", "..", "deploy", "windows", "policy")

// generatedTemplates maps each file below deploy/windows/policy to its generated content.
func generatedTemplates() map[string][]byte {
	files := map[string][]byte{"BOSMessenger.admx": ADMX()}
	for _, lang := range ADMLLanguages {
		files[filepath.Join(lang, "BOSMessenger.adml")] = ADML(lang)
	}
	return files
}

// The committed templates are the generated ones (UPDATE_TEMPLATES=1 rewrites them).
func TestADMXTemplatesAreGenerated(t *testing.T) {
	for name, want := range generatedTemplates() {
		path := filepath.Join(templateDir, name)
		have, err := os.ReadFile(path)
		if bytes.Equal(have, want) {
			continue
		}
		if os.Getenv("UPDATE_TEMPLATES") != "" {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s differs from the key table (%v); run UPDATE_TEMPLATES=1 go test -tags goolm ./session/policy", path, err)
	}
}

// admx is the part of an ADMX file the consistency check reads.
type admx struct {
	Policies []struct {
		Name      string `xml:"name,attr"`
		Key       string `xml:"key,attr"`
		ValueName string `xml:"valueName,attr"`
		Elements  struct {
			Items []struct {
				XMLName   xml.Name
				ID        string `xml:"id,attr"`
				ValueName string `xml:"valueName,attr"`
				Key       string `xml:"key,attr"`
				Values    []struct {
					String string `xml:"value>string"`
				} `xml:"item"`
			} `xml:",any"`
		} `xml:"elements"`
	} `xml:"policies>policy"`
}

// Every key of the table is in the committed ADMX, enforced and recommended, with the registry
// value name and type the code reads; the ADMX names no value the code does not know, and every
// string it refers to is in each ADML.
func TestADMXMatchesKeyTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(templateDir, "BOSMessenger.admx"))
	if err != nil {
		t.Fatal(err)
	}
	var doc admx
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range doc.Policies {
		rec := strings.HasSuffix(p.Key, `\`+RegistryRecommended)
		if !strings.EqualFold(strings.TrimSuffix(p.Key, `\`+RegistryRecommended), RegistryPath) {
			t.Errorf("policy %s: key %s is not %s", p.Name, p.Key, RegistryPath)
		}
		value, typ := p.ValueName, Bool
		if value == "" && len(p.Elements.Items) == 1 {
			e := p.Elements.Items[0]
			value = e.ValueName
			switch e.XMLName.Local {
			case "text":
				typ = String
			case "multiText":
				typ = JSON
			case "decimal":
				typ = Int
			case "enum":
				typ = Enum
				for _, v := range e.Values {
					k, _ := Lookup(value)
					if !slices.Contains(k.Values, v.String) {
						t.Errorf("policy %s: enum value %q unknown to the code", p.Name, v.String)
					}
				}
			case "list":
				typ, value = StringList, e.ID
				if !strings.EqualFold(e.Key, p.Key+`\`+e.ID) {
					t.Errorf("policy %s: list key %s", p.Name, e.Key)
				}
			}
		}
		k, ok := Lookup(value)
		if !ok {
			t.Errorf("ADMX policy %s names %q, which the code does not know", p.Name, value)
			continue
		}
		if k.Type != typ {
			t.Errorf("ADMX policy %s: type %s, the code reads %s", p.Name, typ, k.Type)
		}
		if p.Name != admxPolicyName(k, rec) {
			t.Errorf("ADMX policy %s for key %s", p.Name, k.Name)
		}
		seen[admxPolicyName(k, rec)] = true
	}
	for _, k := range Keys {
		for _, rec := range []bool{false, true} {
			if !seen[admxPolicyName(k, rec)] {
				t.Errorf("key %s (recommended %v) is missing from the ADMX template", k.Name, rec)
			}
		}
	}
	refs := regexpAll(`\$\((string|presentation)\.([A-Za-z0-9_]+)\)`, string(data))
	for _, lang := range ADMLLanguages {
		adml, err := os.ReadFile(filepath.Join(templateDir, lang, "BOSMessenger.adml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			attr := `<string id="` + r[1] + `"`
			if r[0] == "presentation" {
				attr = `<presentation id="` + r[1] + `"`
			}
			if !strings.Contains(string(adml), attr) {
				t.Errorf("%s lacks %s.%s", lang, r[0], r[1])
			}
		}
	}
}

// The templates are well-formed XML for xmllint (installed by scripts/deps.sh).
func TestTemplatesPassXMLLint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	testcache.Require(t, "xmllint (scripts/deps.sh installs libxml2-utils)", err)
	files := []string{filepath.Join(templateDir, "BOSMessenger.admx")}
	for _, lang := range ADMLLanguages {
		files = append(files, filepath.Join(templateDir, lang, "BOSMessenger.adml"))
	}
	if out, err := exec.Command(xmllint, append([]string{"--noout"}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	// and it would notice a broken one
	bad := filepath.Join(t.TempDir(), "bad.admx")
	if err := os.WriteFile(bad, []byte("<policyDefinitions><policies></policyDefinitions>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if exec.Command(xmllint, "--noout", bad).Run() == nil {
		t.Fatal("xmllint accepted a broken file")
	}
}

func regexpAll(expr, s string) [][2]string {
	var out [][2]string
	for _, m := range regexp.MustCompile(expr).FindAllStringSubmatch(s, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}
