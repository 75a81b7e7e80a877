package ui

import (
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"

	"bosmessenger/assets"
)

// Plural messages ("1 Mitglied", "2 Mitglieder") pick their form by CLDR's plural rules as
// go-i18n implements them, the library behind Fyne's lang package. Fyne's lang itself (v2.7.1)
// is not used: its one global localizer is chosen from the system locale (go-locale: LANGUAGE,
// LC_ALL, LC_MESSAGES, LANG on Unix, GetUserDefaultLocaleName on Windows, the user defaults on
// macOS) with no exported way to pick another, while the app switches the language in its
// settings (SetLang, at run time) and tests render both languages side by side (Translate).
// It also falls back to English where we fall back to German (DefaultLang), and lang.L takes
// text/template data where our texts take printf arguments.

// plurals holds every language's plural messages: key, plural form to text (assets.Plurals).
var plurals = mustPlurals()

// pluralBundle holds the plural messages for go-i18n.
var pluralBundle = newPluralBundle(plurals)

// localizers holds one go-i18n localizer per language, made once (Localizer is safe for
// concurrent use).
var localizers = map[string]*i18n.Localizer{}

func init() {
	for l := range plurals {
		localizers[l] = i18n.NewLocalizer(pluralBundle, l)
	}
}

func mustPlurals() map[string]map[string]map[string]string {
	p, err := assets.Plurals()
	if err != nil {
		panic(err) // embedded files: a broken file fails every test
	}
	return p
}

func newPluralBundle(p map[string]map[string]map[string]string) *i18n.Bundle {
	b := i18n.NewBundle(language.Make(DefaultLang))
	for l, msgs := range p {
		tag := language.Make(l)
		for key, f := range msgs {
			if err := b.AddMessages(tag, &i18n.Message{ID: key, Zero: f["zero"], One: f["one"], Two: f["two"],
				Few: f["few"], Many: f["many"], Other: f["other"]}); err != nil {
				panic(err)
			}
		}
	}
	return b
}

// pluralText is the form of plural message key in language l for count n; ok is false when key
// is no plural message in l.
func pluralText(l, key string, n int) (text string, ok bool) {
	loc := localizers[l]
	if loc == nil || plurals[l][key] == nil {
		return "", false
	}
	text, err := loc.Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n, TemplateParser: template.IdentityParser{}})
	if err != nil {
		return "", false
	}
	return text, true
}

// firstCount is the first integer argument: the count a plural message is about.
func firstCount(args []any) (int, bool) {
	for _, a := range args {
		switch v := a.(type) {
		case int:
			return v, true
		case int64:
			return int(v), true
		case int32:
			return int(v), true
		case uint:
			return int(v), true
		}
	}
	return 0, false
}
