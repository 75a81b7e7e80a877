package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sort"
)

// Source is one place that sets policy keys: a file, later a registry hive, a managed preference
// domain or an MDM channel. Values are as JSON decodes them (bool, string, []any of strings) or
// already typed (bool, string, []string).
type Source struct {
	Name        string // where the values come from, shown as the source of a key (a file path)
	RecName     string // the source of its recommended values, when it differs from Name (registry)
	Managed     map[string]any
	Recommended map[string]any
	Warnings    []string // what the source found odd while reading (unknown sections)
}

// EnvPolicyFile names the environment variable that replaces the system policy file.
const EnvPolicyFile = "BOSMESSENGER_POLICY"

// SystemFile is the system-wide policy file of this OS ("" where policy comes from elsewhere).
func SystemFile() string {
	switch runtime.GOOS {
	case "windows", "android", "ios", "js":
		return "" // registry/GPO and MDM channels: the managed-configuration issue
	case "darwin":
		return "/Library/Application Support/BOSMessenger/policy.json"
	}
	return "/etc/bosmessenger/policy.json"
}

// maxFileSize bounds a policy file.
const maxFileSize = 1 << 20

// ParseJSON reads the policy file format: {"managed": {KEY: VALUE}, "recommended": {KEY: VALUE}}.
func ParseJSON(name string, data []byte) (Source, error) {
	src := Source{Name: name, Managed: map[string]any{}, Recommended: map[string]any{}}
	if len(data) > maxFileSize {
		return src, fmt.Errorf("policy %s: file larger than %d bytes", name, maxFileSize)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return src, fmt.Errorf("policy %s: not a JSON object: %v", name, err)
	}
	if top == nil {
		return src, fmt.Errorf("policy %s: not a JSON object", name)
	}
	sections := make([]string, 0, len(top))
	for k := range top {
		sections = append(sections, k)
	}
	sort.Strings(sections)
	for _, section := range sections {
		raw := top[section]
		var into map[string]any
		switch section {
		case "managed":
			into = src.Managed
		case "recommended":
			into = src.Recommended
		default:
			src.Warnings = append(src.Warnings, fmt.Sprintf("policy %s: unknown section %q ignored (expected managed and recommended)", name, section))
			continue
		}
		var values map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&values); err != nil || values == nil {
			return src, fmt.Errorf("policy %s: %s is not a JSON object", name, section)
		}
		for k, v := range values {
			into[k] = v
		}
	}
	return src, nil
}

// ReadFile reads a policy file; ok is false when it does not exist.
func ReadFile(path string) (src Source, ok bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Source{}, false, nil
	}
	if err != nil {
		return Source{}, false, fmt.Errorf("failed to read policy %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return Source{}, false, fmt.Errorf("failed to read policy %s: %w", path, err)
	}
	src, err = ParseJSON(path, data)
	return src, true, err
}

// Sources finds the policy sources of this machine, in precedence order: the file named by
// BOSMESSENGER_POLICY (which must exist) replaces every system source; else the channels of this
// OS (channels.go: registry, managed preferences, files) and a managed configuration handed over
// by a mobile app (SetManagedConfig).
func Sources() ([]Source, error) {
	if path, ok := os.LookupEnv(EnvPolicyFile); ok && path != "" {
		src, found, err := ReadFile(path)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("policy file %s (from %s) does not exist", path, EnvPolicyFile)
		}
		return []Source{src}, nil
	}
	return channelSources()
}

// Load resolves the effective policy of this machine (see Sources).
func Load() (*Policy, error) {
	srcs, err := Sources()
	if err != nil {
		return nil, err
	}
	p, err := Resolve(srcs...)
	if err == nil {
		p.Warnings = append(p.Warnings, platformWarnings(p, runtime.GOOS)...)
	}
	return p, err
}
