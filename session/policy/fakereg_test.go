package policy

import (
	"fmt"
	"strings"
)

// fakeKey is an in-memory registry key for the mapping tests (names are case-insensitive, as in
// the registry).
type fakeKey struct {
	values map[string]RegValue
	subs   map[string]*fakeKey
}

func newFakeKey() *fakeKey {
	return &fakeKey{values: map[string]RegValue{}, subs: map[string]*fakeKey{}}
}

// sub returns (creating) the subkey at a backslash-separated path.
func (k *fakeKey) sub(path string) *fakeKey {
	cur := k
	for _, part := range strings.Split(path, `\`) {
		next, ok := cur.subs[strings.ToLower(part)]
		if !ok {
			next = newFakeKey()
			cur.subs[strings.ToLower(part)] = next
		}
		cur = next
	}
	return cur
}

func (k *fakeKey) dword(name string, n uint64) *fakeKey {
	k.values[name] = RegValue{Kind: RegDWORD, Number: n}
	return k
}

func (k *fakeKey) sz(name, s string) *fakeKey {
	k.values[name] = RegValue{Kind: RegSZ, String: s}
	return k
}

func (k *fakeKey) list(name string, items ...string) *fakeKey {
	l := k.sub(name)
	for i, s := range items {
		l.sz(fmt.Sprint(i+1), s)
	}
	return k
}

func (k *fakeKey) ValueNames() ([]string, error) {
	var out []string
	for n := range k.values {
		out = append(out, n)
	}
	return out, nil
}

func (k *fakeKey) Value(name string) (RegValue, error) {
	for n, v := range k.values {
		if strings.EqualFold(n, name) {
			return v, nil
		}
	}
	return RegValue{}, fmt.Errorf("value %s not found", name)
}

func (k *fakeKey) SubKeyNames() ([]string, error) {
	var out []string
	for n := range k.subs {
		out = append(out, n)
	}
	return out, nil
}

func (k *fakeKey) OpenSubKey(name string) (RegKey, bool, error) {
	s, ok := k.subs[strings.ToLower(name)]
	if !ok {
		return nil, false, nil
	}
	return s, true, nil
}

func (k *fakeKey) Close() error { return nil }

// fakeRegistry holds the policy keys of HKLM and HKCU.
type fakeRegistry map[string]*fakeKey

func (r fakeRegistry) OpenPolicyKey(hive string) (RegKey, bool, error) {
	k, ok := r[hive]
	if !ok {
		return nil, false, nil
	}
	return k, true, nil
}
