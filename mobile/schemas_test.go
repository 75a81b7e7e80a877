package mobile

import (
	"bosmessenger/internal/testcache"
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"bosmessenger/session/policy"
)

func schemaFiles() map[string][]byte {
	return map[string][]byte{
		"android/app_restrictions.xml":           AndroidRestrictions(),
		"android/res/values/restrictions.xml":    AndroidStrings("en"),
		"android/res/values-de/restrictions.xml": AndroidStrings("de"),
		"ios/appconfig-specfile.xml":             IOSSpecfile(),
	}
}

// The committed schemas are the generated ones (UPDATE_TEMPLATES=1 rewrites them).
func TestSchemasAreGenerated(t *testing.T) {
	for name, want := range schemaFiles() {
		have, err := os.ReadFile(name)
		if bytes.Equal(have, want) {
			continue
		}
		if os.Getenv("UPDATE_TEMPLATES") != "" {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("mobile/%s differs from the key table (%v); run UPDATE_TEMPLATES=1 go test ./mobile", name, err)
	}
}

// Both schemas name exactly the keys of the table, each once.
func TestSchemasMatchKeyTable(t *testing.T) {
	var androidKeys []string
	var restr struct {
		R []struct {
			Key string `xml:"http://schemas.android.com/apk/res/android key,attr"`
		} `xml:"restriction"`
	}
	data, err := os.ReadFile("android/app_restrictions.xml")
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &restr); err != nil {
		t.Fatal(err)
	}
	for _, r := range restr.R {
		androidKeys = append(androidKeys, r.Key)
	}
	var ios struct {
		Dict struct {
			Items []struct {
				KeyName string `xml:"keyName,attr"`
			} `xml:",any"`
		} `xml:"dict"`
		BundleID string `xml:"bundleId"`
	}
	data, err = os.ReadFile("ios/appconfig-specfile.xml")
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &ios); err != nil {
		t.Fatal(err)
	}
	if ios.BundleID != policy.AppID {
		t.Errorf("specfile bundleId %q", ios.BundleID)
	}
	var iosKeys []string
	for _, it := range ios.Dict.Items {
		iosKeys = append(iosKeys, it.KeyName)
	}
	for schema, keys := range map[string][]string{"app_restrictions.xml": androidKeys, "appconfig-specfile.xml": iosKeys} {
		seen := map[string]int{}
		for _, k := range keys {
			seen[k]++
			if _, ok := policy.Lookup(k); !ok {
				t.Errorf("%s names %q, which the code does not know", schema, k)
			}
		}
		for _, k := range policy.Keys {
			if seen[k.Name] != 1 {
				t.Errorf("%s has key %s %d times", schema, k.Name, seen[k.Name])
			}
		}
	}
}

func TestSchemasPassXMLLint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	testcache.Require(t, "xmllint (scripts/deps.sh installs libxml2-utils)", err)
	args := []string{"--noout"}
	for name := range schemaFiles() {
		args = append(args, name)
	}
	if out, err := exec.Command(xmllint, args...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}
