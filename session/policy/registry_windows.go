//go:build windows

package policy

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

// systemRegistry is the real registry (64-bit view, where GPO writes).
type systemRegistry struct{}

func (systemRegistry) OpenPolicyKey(hive string) (RegKey, bool, error) {
	root := registry.LOCAL_MACHINE
	if hive == "HKCU" {
		root = registry.CURRENT_USER
	}
	return openKey(root, RegistryPath)
}

func openKey(parent registry.Key, path string) (RegKey, bool, error) {
	k, err := registry.OpenKey(parent, path, registry.QUERY_VALUE|registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return winKey{k}, true, nil
}

type winKey struct{ k registry.Key }

func (w winKey) ValueNames() ([]string, error)  { return w.k.ReadValueNames(-1) }
func (w winKey) SubKeyNames() ([]string, error) { return w.k.ReadSubKeyNames(-1) }
func (w winKey) Close() error                   { return w.k.Close() }

func (w winKey) OpenSubKey(name string) (RegKey, bool, error) { return openKey(w.k, name) }

func (w winKey) Value(name string) (RegValue, error) {
	_, typ, err := w.k.GetValue(name, nil)
	if err != nil {
		return RegValue{}, err
	}
	switch typ {
	case registry.DWORD, registry.QWORD:
		n, _, err := w.k.GetIntegerValue(name)
		kind := RegDWORD
		if typ == registry.QWORD {
			kind = RegQWORD
		}
		return RegValue{Kind: kind, Number: n}, err
	case registry.SZ, registry.EXPAND_SZ:
		s, _, err := w.k.GetStringValue(name)
		kind := RegSZ
		if typ == registry.EXPAND_SZ {
			kind = RegExpandSZ
		}
		return RegValue{Kind: kind, String: s}, err
	case registry.MULTI_SZ:
		s, _, err := w.k.GetStringsValue(name)
		return RegValue{Kind: RegMultiSZ, Strings: s}, err
	}
	return RegValue{Kind: RegOther}, nil
}
