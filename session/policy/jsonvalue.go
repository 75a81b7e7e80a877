package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// JSON is the type of keys whose value is a JSON document (incident_templates): the policy keeps
// it as a string, validated as JSON or as the absolute path of a JSON file. Each channel carries
// it in its own way: a JSON policy file as an array or object (or a string of JSON), the Windows
// registry as REG_SZ or REG_MULTI_SZ (the lines joined; the ADMX has a multi-line text box), a
// plist as an array of dictionaries or a string, the mobile bundle as a string or JSON.
const JSON Type = "json"

// maxJSONValue bounds a JSON value (as the files are bounded).
const maxJSONValue = maxFileSize

// absPathRE matches an absolute path on Unix (/…) or Windows (C:\…, C:/…, \\server\…).
var absPathRE = regexp.MustCompile(`^(/|[A-Za-z]:[\\/]|\\\\)`)

// convertJSON turns what a channel delivers into the JSON text (or file path) the key holds.
func convertJSON(raw any) (any, error) {
	var s string
	switch v := raw.(type) {
	case string:
		s = strings.TrimSpace(v)
	case []string: // a registry REG_MULTI_SZ: the lines of one JSON text
		s = strings.TrimSpace(strings.Join(v, "\n"))
	case []any, map[string]any:
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("cannot be written as JSON: %v", err)
		}
		s = string(data)
	default:
		return nil, fmt.Errorf("expected JSON (an array or object, or a string holding it) or the path of a JSON file, got %s", describe(raw))
	}
	if len(s) > maxJSONValue {
		return nil, fmt.Errorf("longer than %d bytes", maxJSONValue)
	}
	switch {
	case s == "":
	case s[0] == '[' || s[0] == '{':
		if !json.Valid([]byte(s)) {
			var probe any
			err := json.Unmarshal([]byte(s), &probe)
			return nil, fmt.Errorf("not valid JSON: %v", err)
		}
	case !absPathRE.MatchString(s):
		return nil, fmt.Errorf("expected JSON (starting with [ or {) or the absolute path of a JSON file, got %q", truncate(s, 60))
	}
	return s, nil
}

// IsJSONPath reports whether a JSON key's value names a file rather than holding the JSON.
func IsJSONPath(v string) bool { return v != "" && v[0] != '[' && v[0] != '{' }
