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
// (fmt verbs for arguments). Areas only split the files by topic; keys are global.
//
//go:embed i18n
var i18nFS embed.FS

// Translations loads every language's messages. A key defined twice in one language is an error.
func Translations() (map[string]map[string]string, error) {
	return loadTranslations(i18nFS, "i18n")
}

func loadTranslations(fsys fs.FS, root string) (map[string]map[string]string, error) {
	langs, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("failed to list translations: %w", err)
	}
	out := map[string]map[string]string{}
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		msgs := map[string]string{}
		files, err := fs.Glob(fsys, path.Join(root, l.Name(), "*.json"))
		if err != nil {
			return nil, fmt.Errorf("failed to list %s translations: %w", l.Name(), err)
		}
		sort.Strings(files)
		for _, f := range files {
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("failed to read %s: %w", f, err)
			}
			var m map[string]string
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("failed to parse %s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := msgs[k]; dup {
					return nil, fmt.Errorf("translation key %q defined twice in %s (again in %s)", k, l.Name(), strings.TrimPrefix(f, root+"/"))
				}
				msgs[k] = v
			}
		}
		out[l.Name()] = msgs
	}
	return out, nil
}
