package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// i18nFS holds the translations: i18n/LANG/AREA.json, each a flat object of message key to text
// (fmt verbs for arguments). Areas only split the files by topic; keys are global. A message that
// depends on a count is an object of CLDR plural forms instead ({"one": "%d Mitglied",
// "other": "%d Mitglieder"}, as go-i18n reads them); its "other" form is also its plain text.
//
//go:embed i18n
var i18nFS embed.FS

// Translations loads every language's messages. A key defined twice in one language is an error.
func Translations() (map[string]map[string]string, error) {
	msgs, _, err := loadTranslations(i18nFS, "i18n")
	return msgs, err
}

// Plurals loads the plural messages: language, key, CLDR plural form ("one", "other", ...) to text.
func Plurals() (map[string]map[string]map[string]string, error) {
	_, plurals, err := loadTranslations(i18nFS, "i18n")
	return plurals, err
}

func loadTranslations(fsys fs.FS, root string) (map[string]map[string]string, map[string]map[string]map[string]string, error) {
	langs, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to list translations: %w", err)
	}
	out := map[string]map[string]string{}
	plurals := map[string]map[string]map[string]string{}
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		msgs, forms := map[string]string{}, map[string]map[string]string{}
		files, err := fs.Glob(fsys, path.Join(root, l.Name(), "*.json"))
		if err != nil {
			return nil, nil, fmt.Errorf("failed to list %s translations: %w", l.Name(), err)
		}
		sort.Strings(files)
		for _, f := range files {
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, nil, fmt.Errorf("failed to read %s: %w", f, err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, nil, fmt.Errorf("failed to parse %s: %w", f, err)
			}
			for k, raw := range m {
				if _, dup := msgs[k]; dup {
					return nil, nil, fmt.Errorf("translation key %q defined twice in %s (again in %s)", k, l.Name(), strings.TrimPrefix(f, root+"/"))
				}
				var text string
				if err := json.Unmarshal(raw, &text); err == nil {
					msgs[k] = text
					continue
				}
				var plural map[string]string
				if err := json.Unmarshal(raw, &plural); err != nil || plural["other"] == "" {
					return nil, nil, fmt.Errorf("failed to parse %s: %q is neither a text nor plural forms with \"other\"", f, k)
				}
				msgs[k], forms[k] = plural["other"], plural
			}
		}
		out[l.Name()], plurals[l.Name()] = msgs, forms
	}
	return out, plurals, nil
}
