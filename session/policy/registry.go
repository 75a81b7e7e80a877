package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Registry policies, the Chrome/Edge way: HKLM\SOFTWARE\Policies\BOSMessenger holds enforced
// values, its subkey Recommended the defaults, then the same under HKCU; HKLM wins. Booleans and
// numbers are REG_DWORD, strings REG_SZ (or REG_EXPAND_SZ), lists a subkey named like the key
// with the values 1, 2, 3 … (REG_SZ).

// RegistryPath is the policy key below HKLM and HKCU.
const RegistryPath = `SOFTWARE\Policies\BOSMessenger`

// RegistryRecommended is the subkey holding recommended values.
const RegistryRecommended = "Recommended"

// RegKind is the type of a registry value.
type RegKind int

// Registry value types (the ones policies use; others are reported as such).
const (
	RegOther RegKind = iota
	RegSZ
	RegExpandSZ
	RegDWORD
	RegQWORD
	RegMultiSZ
)

func (k RegKind) String() string {
	return [...]string{"an unsupported registry type", "REG_SZ", "REG_EXPAND_SZ", "REG_DWORD", "REG_QWORD", "REG_MULTI_SZ"}[k]
}

// RegValue is one registry value.
type RegValue struct {
	Kind    RegKind
	Number  uint64   // REG_DWORD, REG_QWORD
	String  string   // REG_SZ, REG_EXPAND_SZ
	Strings []string // REG_MULTI_SZ
}

// RegKey is an open registry key: the small part of golang.org/x/sys/windows/registry the
// mapping needs (registry_windows.go), faked in tests.
type RegKey interface {
	ValueNames() ([]string, error)
	Value(name string) (RegValue, error)
	SubKeyNames() ([]string, error)
	OpenSubKey(name string) (RegKey, bool, error) // false when it does not exist
	Close() error
}

// Registry opens the policy key of a hive ("HKLM" or "HKCU"); false when it does not exist.
type Registry interface {
	OpenPolicyKey(hive string) (RegKey, bool, error)
}

// RegistrySources reads HKLM, then HKCU.
func RegistrySources(reg Registry) ([]Source, error) {
	var srcs []Source
	for _, hive := range []string{"HKLM", "HKCU"} {
		k, ok, err := reg.OpenPolicyKey(hive)
		if err != nil {
			return nil, fmt.Errorf("failed to open %s\\%s: %w", hive, RegistryPath, err)
		}
		if !ok {
			continue
		}
		src, err := ReadRegistry(hive, k)
		k.Close()
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, src)
	}
	return srcs, nil
}

// ReadRegistry maps one hive's policy key (and its Recommended subkey) to a Source.
func ReadRegistry(hive string, k RegKey) (Source, error) {
	name := SourcePrefixGPO + hive + `\` + RegistryPath
	src := Source{Name: name, RecName: name + `\` + RegistryRecommended}
	var err error
	if src.Managed, err = readRegistryValues(src.Name, k, true, &src.Warnings); err != nil {
		return src, err
	}
	rec, ok, err := k.OpenSubKey(RegistryRecommended)
	if err != nil {
		return src, fmt.Errorf("policy %s: %w", src.RecName, err)
	}
	src.Recommended = map[string]any{}
	if ok {
		defer rec.Close()
		if src.Recommended, err = readRegistryValues(src.RecName, rec, false, &src.Warnings); err != nil {
			return src, err
		}
	}
	return src, nil
}

// maxRegistryList bounds a list subkey.
const maxRegistryList = 10000

func readRegistryValues(where string, k RegKey, top bool, warnings *[]string) (map[string]any, error) {
	out := map[string]any{}
	names, err := k.ValueNames()
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", where, err)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "" {
			continue // the key's default value: not a policy
		}
		v, err := k.Value(n)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %s: %w", where, n, err)
		}
		key, known := lookupFold(n)
		if !known {
			out[n] = regRaw(v) // Resolve reports it as unknown
			continue
		}
		out[key.Name] = regValue(key, v)
	}
	subs, err := k.SubKeyNames()
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", where, err)
	}
	sort.Strings(subs)
	for _, n := range subs {
		if top && strings.EqualFold(n, RegistryRecommended) {
			continue
		}
		key, known := lookupFold(n)
		if !known || key.Type != StringList {
			*warnings = append(*warnings, fmt.Sprintf("policy %s: unknown subkey %s ignored (only lists are subkeys)", where, n))
			continue
		}
		if _, dup := out[key.Name]; dup {
			return nil, fmt.Errorf("policy %s: %s: set as a value and as a list subkey", where, key.Name)
		}
		sub, ok, err := k.OpenSubKey(n)
		if err != nil || !ok {
			return nil, fmt.Errorf("policy %s: %s: failed to open the list subkey: %v", where, key.Name, err)
		}
		list, err := readRegistryList(sub)
		sub.Close()
		if err != nil {
			return nil, fmt.Errorf("policy %s: %s: %w", where, key.Name, err)
		}
		out[key.Name] = list
	}
	return out, nil
}

// readRegistryList reads a list subkey: values named 1, 2, 3 … in numeric order (Chrome skips
// gaps; so do we). Other names and non-string values are errors.
func readRegistryList(k RegKey) (any, error) {
	names, err := k.ValueNames()
	if err != nil {
		return nil, err
	}
	if len(names) > maxRegistryList {
		return nil, fmt.Errorf("more than %d entries", maxRegistryList)
	}
	type entry struct {
		i int
		s string
	}
	var entries []entry
	for _, n := range names {
		if n == "" {
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 || strconv.Itoa(i) != n {
			return nil, fmt.Errorf("list entry %q: entries are named 1, 2, 3 …", truncate(n, 40))
		}
		v, err := k.Value(n)
		if err != nil {
			return nil, err
		}
		if v.Kind != RegSZ && v.Kind != RegExpandSZ {
			return nil, fmt.Errorf("list entry %s: expected REG_SZ, got %s", n, v.Kind)
		}
		entries = append(entries, entry{i, v.String})
	}
	sort.Slice(entries, func(a, b int) bool { return entries[a].i < entries[b].i })
	list := make([]string, 0, len(entries))
	for _, e := range entries {
		list = append(list, e.s)
	}
	return list, nil
}

// regValue maps a registry value to what convert expects for the key; a value of the wrong
// registry type passes through as something convert refuses, naming it.
func regValue(key Key, v RegValue) any {
	switch key.Type {
	case Bool:
		if v.Kind == RegDWORD && v.Number <= 1 {
			return v.Number == 1
		}
	case Int:
		if v.Kind == RegDWORD || v.Kind == RegQWORD {
			return v.Number
		}
	case String, Enum:
		if v.Kind == RegSZ || v.Kind == RegExpandSZ {
			return v.String
		}
	case StringList:
		if v.Kind == RegMultiSZ {
			return v.Strings
		}
	case JSON:
		switch v.Kind {
		case RegSZ, RegExpandSZ:
			return v.String
		case RegMultiSZ:
			return v.Strings // the lines of a multi-line text box
		}
	}
	return wrongRegType{v}
}

// regRaw is an unknown value as Resolve reports it.
func regRaw(v RegValue) any {
	switch v.Kind {
	case RegSZ, RegExpandSZ:
		return v.String
	case RegDWORD, RegQWORD:
		return v.Number
	case RegMultiSZ:
		return v.Strings
	}
	return wrongRegType{v}
}

// wrongRegType is a registry value whose type does not fit its key; convert's error names it.
type wrongRegType struct{ v RegValue }

func (w wrongRegType) String() string {
	switch w.v.Kind {
	case RegDWORD, RegQWORD:
		return fmt.Sprintf("%s %d", w.v.Kind, w.v.Number)
	case RegSZ, RegExpandSZ:
		return fmt.Sprintf("%s %q", w.v.Kind, truncate(w.v.String, 40))
	}
	return w.v.Kind.String()
}

// lookupFold finds a key by name ignoring case (registry names are case-insensitive).
func lookupFold(name string) (Key, bool) {
	for _, k := range Keys {
		if strings.EqualFold(k.Name, name) {
			return k, true
		}
	}
	return Key{}, false
}
