package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// AppTheme wraps a base theme (theme.DefaultTheme() unless given): it forces the light or dark
// variant when the user chose one, and scales every size by the text size factor.
type AppTheme struct {
	base    fyne.Theme
	variant string  // ThemeSystem, ThemeLight or ThemeDark
	scale   float32 // TextSize/100
}

var _ fyne.Theme = (*AppTheme)(nil)

// NewAppTheme makes the theme for a variant (ThemeSystem, ThemeLight, ThemeDark) and a text size
// in percent (clamped to TextSizeMin..TextSizeMax). A nil base means theme.DefaultTheme().
func NewAppTheme(base fyne.Theme, variant string, textSizePercent int) *AppTheme {
	if base == nil {
		base = theme.DefaultTheme()
	}
	if variant != ThemeLight && variant != ThemeDark {
		variant = ThemeSystem
	}
	return &AppTheme{base: base, variant: variant, scale: float32(clampTextSize(textSizePercent)) / 100}
}

// Color returns the base theme's colour, in the forced variant when there is one.
func (t *AppTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch t.variant {
	case ThemeLight:
		v = theme.VariantLight
	case ThemeDark:
		v = theme.VariantDark
	}
	return t.base.Color(n, v)
}

// Font returns the base theme's font.
func (t *AppTheme) Font(s fyne.TextStyle) fyne.Resource { return t.base.Font(s) }

// Icon returns the base theme's icon.
func (t *AppTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size returns the base theme's size scaled by the text size factor.
func (t *AppTheme) Size(n fyne.ThemeSizeName) float32 { return t.base.Size(n) * t.scale }

// ApplyPrefs sets the app's theme from the preferences (variant and text size) and switches the
// UI language to the preferred one. Call it at start, before building the window's content; the
// settings dialog calls it after every change. Must run on the UI goroutine.
func ApplyPrefs(a fyne.App, p *Prefs) {
	SetLang(p.Language())
	a.Settings().SetTheme(NewAppTheme(nil, p.Theme(), p.TextSize()))
}
