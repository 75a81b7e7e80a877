package mobile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"bosmessenger/session/policy"
)

// Platforms whose managed configuration ApplyManagedConfig reads.
const (
	Android = "android"
	IOS     = "ios"
)

// maxBundle bounds the bundle JSON.
const maxBundle = 1 << 20

// SourceName is the policy source name of a platform's managed configuration.
func SourceName(platform string) string {
	if platform == IOS {
		return policy.SourcePrefixMDM + "com.apple.configuration.managed"
	}
	return policy.SourcePrefixMDM + "Android managed configuration"
}

// ParseBundle maps the managed configuration bundle, as JSON, to a policy source. Every key is
// enforced (MDM values override the user, as admins expect from Threema Work and others); an
// object under "recommended" holds defaults the user may change. Values come as the platforms
// carry them: booleans, integers, strings, and string arrays, also as one string joined by commas
// or new lines (Android restrictions have no free string array type).
func ParseBundle(platform string, data []byte) (policy.Source, error) {
	name := SourceName(platform)
	src := policy.Source{Name: name, Managed: map[string]any{}, Recommended: map[string]any{}}
	if len(data) > maxBundle {
		return src, fmt.Errorf("policy %s: larger than %d bytes", name, maxBundle)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil || top == nil {
		return src, fmt.Errorf("policy %s: not a JSON object", name)
	}
	if dec.More() {
		return src, fmt.Errorf("policy %s: data after the JSON object", name)
	}
	if rec, ok := top["recommended"]; ok {
		m, ok := rec.(map[string]any)
		if !ok {
			return src, fmt.Errorf("policy %s: recommended is not an object", name)
		}
		bundleInto(m, src.Recommended)
		delete(top, "recommended")
	}
	bundleInto(top, src.Managed)
	return src, nil
}

func bundleInto(values, into map[string]any) {
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		v := values[n]
		if k, ok := policy.Lookup(n); ok && k.Type == policy.StringList {
			if s, ok := v.(string); ok {
				v = splitList(s)
			}
		}
		into[n] = v // policy.Resolve checks types, naming source and key
	}
}

// splitList splits a joined list at commas and new lines, dropping empty entries.
func splitList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ApplyManagedConfig parses the bundle JSON and installs it as this process's managed
// configuration (policy.SetManagedConfig), after checking it resolves; an empty bundle removes
// it. The app calls it at start and whenever the MDM changes the configuration
// (ACTION_APPLICATION_RESTRICTIONS_CHANGED, NSUserDefaultsDidChangeNotification). A bad value is
// an error naming source and key, and policy.Load fails with it until a good bundle arrives
// (fail closed: a device whose MDM values are broken does not run as if it had none).
func ApplyManagedConfig(platform, bundleJSON string) error {
	if t := strings.TrimSpace(bundleJSON); t == "" || t == "{}" {
		policy.SetManagedConfig(nil)
		return nil
	}
	src, err := ParseBundle(platform, []byte(bundleJSON))
	if err == nil {
		_, err = policy.Resolve(src)
	}
	if err != nil {
		policy.SetManagedConfigFailed(err)
		return err
	}
	policy.SetManagedConfig(&src)
	return nil
}
