package ui

import (
	"os"

	"fyne.io/fyne/v2"

	"bosmessenger/session/policy"
)

// Preference keys in fyne.App.Preferences().
const (
	prefLanguage        = "ui.language"
	prefTheme           = "ui.theme"
	prefTextSize        = "ui.text_size_percent"
	prefExcludeInsecure = "crypto.exclude_insecure_devices"
	prefKeepMediaMeta   = "media.keep_metadata"
)

// Theme variants a user can choose.
const (
	ThemeSystem = "system" // follow the operating system
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Text size bounds in percent of the default theme's sizes.
const (
	TextSizeMin     = 80
	TextSizeMax     = 150
	TextSizeDefault = 100
	TextSizeStep    = 10
)

// Prefs are the user's UI settings, persisted in fyne.App.Preferences(). Unset or invalid values
// read as the defaults: the environment's language (LangFromEnv: German unless the environment
// names English), the system's theme variant, 100 % text size.
type Prefs struct {
	p   fyne.Preferences
	pol *policy.Policy // language and theme follow it (prefs_policy.go)
}

// NewPrefs wraps an app's preferences (fyne.CurrentApp().Preferences()).
func NewPrefs(p fyne.Preferences) *Prefs { return &Prefs{p: p} }

// Language is the UI language code ("de" or "en"); default LangFromEnv (DefaultLang, German,
// unless the environment names another language we have).
func (p *Prefs) Language() string {
	l := p.p.String(prefLanguage)
	if v, ok := p.policyValue(policy.KeyLanguage, messages[l] != nil); ok && messages[v] != nil {
		return v
	}
	if messages[l] == nil {
		return LangFromEnv(os.Getenv)
	}
	return l
}

// SetLanguage stores the UI language; unknown codes are ignored.
func (p *Prefs) SetLanguage(l string) {
	if locked, _ := p.Locked(policy.KeyLanguage); locked {
		return
	}
	if messages[l] != nil {
		p.p.SetString(prefLanguage, l)
	}
}

// Theme is ThemeSystem, ThemeLight or ThemeDark; default ThemeSystem.
func (p *Prefs) Theme() string {
	v := p.p.StringWithFallback(prefTheme, ThemeSystem)
	if pv, ok := p.policyValue(policy.KeyTheme, p.p.String(prefTheme) != ""); ok {
		v = pv
	}
	switch v {
	case ThemeLight, ThemeDark:
		return v
	default:
		return ThemeSystem
	}
}

// SetTheme stores the theme variant; unknown values store ThemeSystem.
func (p *Prefs) SetTheme(v string) {
	if locked, _ := p.Locked(policy.KeyTheme); locked {
		return
	}
	if v != ThemeLight && v != ThemeDark {
		v = ThemeSystem
	}
	p.p.SetString(prefTheme, v)
}

// TextSize is the text size in percent, within TextSizeMin..TextSizeMax; default TextSizeDefault.
func (p *Prefs) TextSize() int {
	return clampTextSize(p.p.IntWithFallback(prefTextSize, TextSizeDefault))
}

// SetTextSize stores the text size in percent, clamped to TextSizeMin..TextSizeMax.
func (p *Prefs) SetTextSize(percent int) { p.p.SetInt(prefTextSize, clampTextSize(percent)) }

// ExcludeInsecureDevices is the wish to share room keys only with cross-signed devices (MSC4153).
// The session reads it from its Config when it opens (session.Config.ExcludeInsecureDevices), so
// a change takes effect at the next start. Default false.
func (p *Prefs) ExcludeInsecureDevices() bool {
	return p.p.BoolWithFallback(prefExcludeInsecure, false)
}

// SetExcludeInsecureDevices stores ExcludeInsecureDevices.
func (p *Prefs) SetExcludeInsecureDevices(on bool) { p.p.SetBool(prefExcludeInsecure, on) }

// KeepMediaMetadata is the wish to send images with their metadata (GPS position, camera): the
// session reads it from its Config (session.Config.KeepMediaMetadata); the policy can overrule it.
// Default false: metadata is removed.
func (p *Prefs) KeepMediaMetadata() bool { return p.p.BoolWithFallback(prefKeepMediaMeta, false) }

// SetKeepMediaMetadata stores KeepMediaMetadata.
func (p *Prefs) SetKeepMediaMetadata(keep bool) { p.p.SetBool(prefKeepMediaMeta, keep) }

func clampTextSize(v int) int {
	switch {
	case v < TextSizeMin:
		return TextSizeMin
	case v > TextSizeMax:
		return TextSizeMax
	}
	return v
}
