package policy

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"howett.net/plist"
)

// AppID is the app ID of FyneApp.toml: the macOS bundle ID and managed preferences domain.
const AppID = "de.bos-messenger.client"

// ManagedPrefsDir is where macOS writes the managed preferences of configuration profiles.
const ManagedPrefsDir = "/Library/Managed Preferences"

// ManagedPrefsSources reads the managed preferences of appID: the user's
// (DIR/USER/APPID.plist) before the computer's (DIR/APPID.plist). Every key of a configuration
// profile is enforced (as Chrome treats forced profile values); a dictionary named recommended
// holds defaults the user may change.
func ManagedPrefsSources(dir, user, appID string) ([]Source, error) {
	var paths []string
	if user != "" && !strings.ContainsAny(user, `/\`) && user != ".." {
		paths = append(paths, filepath.Join(dir, user, appID+".plist"))
	}
	paths = append(paths, filepath.Join(dir, appID+".plist"))
	var srcs []Source
	for _, p := range paths {
		data, err := readLimited(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("failed to read policy %s: %w", p, err)
		}
		src, err := ParsePlist(SourcePrefixMDM+p, data)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, src)
	}
	return srcs, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	return data, err
}

// ParsePlist maps a managed preferences plist (XML, binary or OpenStep) to a Source. Booleans,
// integers, strings and arrays of strings map to the key types; what macOS adds to the domain
// (PayloadUUID and other keys starting with an upper-case letter) is not policy and skipped.
func ParsePlist(name string, data []byte) (Source, error) {
	src := Source{Name: name, Managed: map[string]any{}, Recommended: map[string]any{}}
	if len(data) > maxFileSize {
		return src, fmt.Errorf("policy %s: larger than %d bytes", name, maxFileSize)
	}
	var top map[string]any
	if _, err := plist.Unmarshal(data, &top); err != nil {
		return src, fmt.Errorf("policy %s: not a property list dictionary: %v", name, truncate(err.Error(), 200))
	}
	if err := plistInto(name, "", top, src.Managed, &src.Recommended); err != nil {
		return src, err
	}
	return src, nil
}

func plistInto(name, section string, values map[string]any, into map[string]any, rec *map[string]any) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := values[k]
		if k == "recommended" && rec != nil {
			d, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("policy %s: recommended is not a dictionary", name)
			}
			if err := plistInto(name, "recommended.", d, *rec, nil); err != nil {
				return err
			}
			continue
		}
		if k == "" || (k[0] >= 'A' && k[0] <= 'Z') {
			continue // PayloadUUID, PayloadType … from the profile
		}
		pv, err := plistValue(v)
		if err != nil {
			return fmt.Errorf("policy %s: %s%s: %v", name, section, k, err)
		}
		into[k] = pv
	}
	return nil
}

// plistValue turns what howett.net/plist decodes into the value kinds convert knows.
func plistValue(v any) (any, error) {
	switch v := v.(type) {
	case bool, string, int64, uint64, float64:
		return v, nil
	case []any:
		return v, nil // convert checks the elements
	case map[string]any:
		return v, nil // convert refuses it, naming the key
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("unsupported property list value of type %T", v)
}
