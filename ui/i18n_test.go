package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// verbs lists the fmt verbs of a message in order, so translations take the same arguments.
var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func verbs(s string) string { return strings.Join(verbRE.FindAllString(s, -1), " ") }

func TestTranslationsComplete(t *testing.T) {
	de := messages[DefaultLang]
	if len(de) < 5 {
		t.Fatalf("only %d German messages loaded", len(de))
	}
	for _, l := range Languages() {
		for k, v := range messages[l] {
			if _, ok := de[k]; !ok {
				t.Errorf("%s has %q, German does not", l, k)
			}
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s %q is empty", l, k)
			}
		}
		for k, v := range de {
			other, ok := messages[l][k]
			if !ok {
				t.Errorf("%s lacks %q", l, k)
				continue
			}
			if verbs(other) != verbs(v) {
				t.Errorf("%s %q takes %q, German takes %q", l, k, verbs(other), verbs(v))
			}
		}
	}
	if len(Languages()) < 2 || Languages()[0] != "de" {
		t.Errorf("languages %v: want de first and at least en", Languages())
	}
}

// keyUseRE finds literal message keys in calls of T, Translate and tkey (which marks keys built at
// run time, e.g. tkey("reason.missing_session")).
var keyUseRE = regexp.MustCompile(`\b(?:T|tkey)\("([^"]+)"|Translate\([^,]+, "([^"]+)"`)

// TestEveryUsedKeyIsTranslated scans the UI and app sources for message keys.
func TestEveryUsedKeyIsTranslated(t *testing.T) {
	var files []string
	for _, pattern := range []string{"*.go", "../cmd/bosmessenger/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	var missing []string
	used := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyUseRE.FindAllStringSubmatch(string(src), -1) {
			key := m[1] + m[2]
			used++
			if _, ok := messages[DefaultLang][key]; !ok {
				missing = append(missing, f+": "+key)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys used but not translated:\n%s", strings.Join(missing, "\n"))
	}
	if used < 5 {
		t.Errorf("found only %d key uses; is the scan broken?", used)
	}
}

func TestSetLang(t *testing.T) {
	defer SetLang(Lang())
	if !SetLang("en") || T("no_rooms") != "No rooms yet." {
		t.Errorf("English: %q", T("no_rooms"))
	}
	if SetLang("xx") || Lang() != "en" {
		t.Errorf("unknown language accepted: %q", Lang())
	}
	SetLang("de")
	if T("no_rooms") != "Noch keine Räume." {
		t.Errorf("German: %q", T("no_rooms"))
	}
}
