package policy

import (
	"crypto/ed25519"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// SourceDefault is the source of a key no source sets.
const SourceDefault = "default"

// Setting is the effective value of one key.
type Setting struct {
	Key      string
	Value    any // bool, string or []string, by the key's Type
	Source   string
	Enforced bool // managed (or a BOS-mode default under a managed bos_mode): the user cannot change it
}

// Policy is the effective policy: every key of the table with its value and where it came from.
type Policy struct {
	settings map[string]Setting
	keys     []ed25519.PublicKey
	// Warnings lists what the sources set that has no effect (unknown keys and sections, keys
	// that do nothing in this mode). They are shown by bosctl policy and logged, never dropped.
	Warnings []string
}

// Resolve merges sources into the effective policy. A managed value wins over a recommended one;
// among several sources of the same kind the first wins. Unknown keys become warnings; a value of
// the wrong type or syntax is an error naming its source and key.
func Resolve(sources ...Source) (*Policy, error) {
	p := &Policy{settings: map[string]Setting{}}
	for _, src := range sources {
		p.Warnings = append(p.Warnings, src.Warnings...)
		for _, part := range []struct {
			name   string
			values map[string]any
		}{{"managed", src.Managed}, {"recommended", src.Recommended}} {
			names := make([]string, 0, len(part.values))
			for k := range part.values {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, name := range names {
				key, ok := Lookup(name)
				if !ok {
					p.Warnings = append(p.Warnings, fmt.Sprintf("policy %s: unknown key %s.%s ignored", src.Name, part.name, name))
					continue
				}
				enforced := part.name == "managed"
				srcName := src.Name
				if !enforced && src.RecName != "" {
					srcName = src.RecName
				}
				v, err := convert(key, part.values[name])
				if err != nil {
					return nil, fmt.Errorf("policy %s: %s.%s: %v", srcName, part.name, name, err)
				}
				have, set := p.settings[name]
				if set && (have.Enforced || !enforced) {
					p.noteConflict(have, srcName, v) // an earlier source, or a managed value, wins
					continue
				}
				p.settings[name] = Setting{Key: name, Value: v, Source: srcName, Enforced: enforced}
			}
		}
	}
	bos, _ := p.settings[KeyBOSMode]
	bosOn := bos.Value == true
	for _, key := range Keys {
		if _, set := p.settings[key.Name]; set {
			continue
		}
		s := Setting{Key: key.Name, Value: key.Default, Source: SourceDefault}
		if bosOn && key.BOSDefault != nil {
			s.Value, s.Enforced = key.BOSDefault, bos.Enforced
		}
		p.settings[key.Name] = s
	}
	for _, k := range p.Strings(KeyFederationListPublicKeys) {
		pub, _ := ParsePublicKey(k) // validated by convert
		p.keys = append(p.keys, pub)
	}
	if !bosOn && p.InvitesFrom() == InvitesFromVetted {
		p.Warnings = append(p.Warnings, "policy: invites_from=vetted has no effect while bos_mode is off")
	}
	return p, nil
}

// convert checks a value against its key and returns it typed.
func convert(key Key, raw any) (any, error) {
	switch key.Type {
	case Bool:
		b, ok := raw.(bool)
		if !ok {
			return nil, fmt.Errorf("expected true or false, got %s", describe(raw))
		}
		return b, nil
	case String, Enum:
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string, got %s", describe(raw))
		}
		s = strings.TrimSpace(s)
		if key.Type == Enum && !slices.Contains(key.Values, s) {
			return nil, fmt.Errorf("expected one of %s, got %q", strings.Join(key.Values, ", "), s)
		}
		return s, checkFormat(key.Format, []string{s})
	case Int:
		return convertInt(key, raw)
	case JSON:
		return convertJSON(raw)
	case StringList:
		var list []string
		switch v := raw.(type) {
		case []string:
			list = slices.Clone(v)
		case []any:
			for i, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("element %d: expected a string, got %s", i, describe(e))
				}
				list = append(list, s)
			}
		default:
			return nil, fmt.Errorf("expected an array of strings, got %s", describe(raw))
		}
		for i := range list {
			list[i] = strings.TrimSpace(list[i])
		}
		if list == nil {
			list = []string{}
		}
		if key.Format == FormatServerNames {
			for i := range list {
				list[i] = strings.ToLower(list[i])
			}
		}
		return list, checkFormat(key.Format, list)
	}
	return nil, fmt.Errorf("unsupported type %s", key.Type)
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("%t", v)
	case string:
		return fmt.Sprintf("the string %q", truncate(v, 40))
	case float64, int, int64, uint32, uint64:
		return fmt.Sprintf("the number %v", v)
	case []any, []string:
		return "an array"
	case map[string]any:
		return "an object"
	case fmt.Stringer: // a registry value of the wrong type
		return v.String()
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func checkFormat(f Format, values []string) error {
	for _, v := range values {
		var err error
		switch f {
		case FormatListURL:
			if v != "" {
				err = ValidateListURL(v)
			}
		case FormatEd25519Keys:
			_, err = ParsePublicKey(v)
		case FormatServerNames:
			if !ValidServerName(v) {
				err = fmt.Errorf("%q is not a server name (host or host:port)", truncate(v, 80))
			}
		case FormatHomeserver:
			if v != "" {
				err = validateHomeserver(v)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Settings lists every key of the table with its effective value, in table order.
func (p *Policy) Settings() []Setting {
	out := make([]Setting, 0, len(Keys))
	for _, k := range Keys {
		out = append(out, p.settings[k.Name])
	}
	return out
}

// Setting returns the effective setting of a key.
func (p *Policy) Setting(name string) Setting { return p.settings[name] }

// Bool is the value of a Bool key (false for other keys).
func (p *Policy) Bool(name string) bool { b, _ := p.settings[name].Value.(bool); return b }

// String is the value of a String or Enum key.
func (p *Policy) String(name string) string { s, _ := p.settings[name].Value.(string); return s }

// Strings is the value of a StringList key.
func (p *Policy) Strings(name string) []string {
	l, _ := p.settings[name].Value.([]string)
	return slices.Clone(l)
}

// BOSMode reports whether BOS mode is on.
func (p *Policy) BOSMode() bool { return p.Bool(KeyBOSMode) }

// FederationListURL is where the federation list is fetched ("" if not set).
func (p *Policy) FederationListURL() string { return p.String(KeyFederationListURL) }

// PublicKeys are the pinned federation list keys.
func (p *Policy) PublicKeys() []ed25519.PublicKey { return slices.Clone(p.keys) }

// AllowedHomeservers are the server names an account may sign in on (empty: not restricted by
// this key).
func (p *Policy) AllowedHomeservers() []string { return p.Strings(KeyAllowedHomeservers) }

// Homeserver is the pre-filled or locked homeserver, and whether it is locked.
func (p *Policy) Homeserver() (string, bool) {
	s := p.settings[KeyHomeserver]
	v, _ := s.Value.(string)
	return v, s.Enforced && v != ""
}

// RequireEncryption forbids unencrypted rooms.
func (p *Policy) RequireEncryption() bool { return p.Bool(KeyRequireEncryption) }

// ExcludeInsecureDevices shares room keys only with cross-signed devices.
func (p *Policy) ExcludeInsecureDevices() bool { return p.Bool(KeyExcludeInsecureDevices) }

// RequireDeviceVerification requires a verified device before sending or reading history.
func (p *Policy) RequireDeviceVerification() bool { return p.Bool(KeyRequireDeviceVerification) }

// InvitesFrom is vetted or any.
func (p *Policy) InvitesFrom() string { return p.String(KeyInvitesFrom) }

// RemoteWipe wipes local data when the server says the device is gone.
func (p *Policy) RemoteWipe() bool { return p.Bool(KeyRemoteWipe) }
