package ui

import (
	"bosmessenger/session/policy"
)

// Policy over the user's settings (keys language and theme): an enforced value always applies and
// the control is locked; a recommended value replaces the built-in default until the user chooses
// otherwise; without either the user's setting or the default applies.

// SetPolicy makes Prefs follow the admin policy (nil: none).
func (p *Prefs) SetPolicy(pol *policy.Policy) { p.pol = pol }

// Locked reports whether the policy enforces a key, and names the source for the lock's note.
func (p *Prefs) Locked(key string) (bool, string) {
	if p == nil || p.pol == nil {
		return false, ""
	}
	s := p.pol.Setting(key)
	return s.Enforced, s.Source
}

// policyValue is the policy's value of a key when it is enforced, or recommended while the user
// has not chosen (userSet false); ok false otherwise.
func (p *Prefs) policyValue(key string, userSet bool) (string, bool) {
	if p.pol == nil {
		return "", false
	}
	s := p.pol.Setting(key)
	v, _ := s.Value.(string)
	if s.Enforced || (!userSet && s.Source != policy.SourceDefault) {
		return v, v != ""
	}
	return "", false
}
