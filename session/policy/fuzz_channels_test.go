package policy

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// FuzzRegistryMapping builds a registry from the fuzzer's bytes (names, kinds, values, list
// subkeys) and checks the mapping never panics, errors name the source, and what resolves
// validates.
func FuzzRegistryMapping(f *testing.F) {
	f.Add([]byte("bos_mode\x00\x03\x01max_upload_mb\x00\x03\x19theme\x00\x01dark"))
	f.Add([]byte("allowed_homeservers\x00\x10a.de\x00\x01b.de\x00app_lock\x00\x03\x02"))
	f.Add([]byte("Recommended\x00\x20language\x00\x01en"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lm := newFakeKey()
		cur := lm
		for len(data) > 0 {
			i := strings.IndexByte(string(data), 0)
			if i < 0 || i+1 >= len(data) {
				break
			}
			name, kind := string(data[:i]), data[i+1]
			data = data[i+2:]
			j := strings.IndexByte(string(data), 0)
			if j < 0 {
				j = len(data)
			}
			val := data[:j]
			if j < len(data) {
				data = data[j+1:]
			} else {
				data = nil
			}
			switch kind & 0x30 {
			case 0x10: // a list subkey with entries 1, 2 …
				cur.sub(name).sz(fmt.Sprint(len(cur.sub(name).values)+1), string(val))
				continue
			case 0x20: // descend (e.g. Recommended)
				cur = cur.sub(name)
				continue
			}
			var n uint64
			if len(val) > 0 {
				b := make([]byte, 8)
				copy(b, val)
				n = binary.LittleEndian.Uint64(b)
			}
			cur.values[name] = RegValue{Kind: RegKind(kind % 6), Number: n, String: string(val), Strings: strings.Split(string(val), ",")}
		}
		srcs, err := RegistrySources(fakeRegistry{"HKLM": lm})
		if err == nil {
			var p *Policy
			if p, err = Resolve(srcs...); err == nil {
				checkSettings(t, p)
				return
			}
		}
		if !strings.Contains(err.Error(), "HKLM") {
			t.Fatalf("error without source: %v", err)
		}
	})
}

func FuzzPlist(f *testing.F) {
	f.Add([]byte(`<plist><dict><key>bos_mode</key><true/><key>max_upload_mb</key><integer>5</integer></dict></plist>`))
	f.Add([]byte(`<plist><dict><key>recommended</key><dict><key>theme</key><string>dark</string></dict></dict></plist>`))
	f.Add([]byte("bplist00\xd1\x01\x02Tkey_\x10\x03abc\x08\x0b\x10\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x16"))
	f.Add([]byte(`{ bos_mode = 1; allowed_homeservers = ("a.de"); }`))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := ParsePlist("fuzz.plist", data)
		if err == nil {
			var p *Policy
			if p, err = Resolve(src); err == nil {
				checkSettings(t, p)
				return
			}
		}
		if !strings.Contains(err.Error(), "fuzz.plist") {
			t.Fatalf("error without source: %v", err)
		}
	})
}

func checkSettings(t *testing.T, p *Policy) {
	t.Helper()
	for _, s := range p.Settings() {
		k, ok := Lookup(s.Key)
		if !ok {
			t.Fatalf("setting of unknown key %q", s.Key)
		}
		if _, err := convert(k, s.Value); err != nil {
			t.Fatalf("effective %s = %#v does not validate: %v", s.Key, s.Value, err)
		}
	}
}
