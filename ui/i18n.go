package ui

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"

	"bosmessenger/assets"
)

// DefaultLang is used when the environment names no language we have. German is the primary UI language.
const DefaultLang = "de"

// messages holds every language's texts, from the translation files in assets/i18n.
var messages = mustTranslations()

func mustTranslations() map[string]map[string]string {
	m, err := assets.Translations()
	if err != nil {
		panic(err) // the files are embedded: a broken file fails every test
	}
	return m
}

// lang is the UI language: from the environment at start, then the user's setting (SetLang).
var lang atomic.Value // string

func init() { lang.Store(LangFromEnv(os.Getenv)) }

// Lang is the current UI language code.
func Lang() string { return lang.Load().(string) }

// Languages lists the UI languages, the default first.
func Languages() []string {
	out := []string{DefaultLang}
	for l := range messages {
		if l != DefaultLang {
			out = append(out, l)
		}
	}
	sort.Strings(out[1:])
	return out
}

// SetLang switches the UI language; unknown codes are ignored. Views built afterwards use it.
func SetLang(l string) bool {
	if messages[l] == nil {
		return false
	}
	lang.Store(l)
	return true
}

// LangFromEnv picks the UI language from LC_ALL, LC_MESSAGES and LANG (in POSIX order of precedence):
// "en_US.UTF-8" gives "en"; unknown languages, "C" and "POSIX" give DefaultLang.
func LangFromEnv(getenv func(string) string) string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		val := getenv(v)
		if val == "" {
			continue
		}
		code := val
		for _, sep := range []string{"_", ".", "@"} {
			code, _, _ = strings.Cut(code, sep)
		}
		if code = strings.ToLower(code); messages[code] != nil {
			return code
		}
		return DefaultLang
	}
	return DefaultLang
}

// Translate returns the message key in language l, formatted with args; missing messages fall back
// to DefaultLang, then to the key itself. A plural message (plural.go) takes the form for its first
// integer argument: "1 Mitglied", "2 Mitglieder".
func Translate(l, key string, args ...any) string {
	msg, ok := messages[l][key]
	if !ok {
		l = DefaultLang
		if msg, ok = messages[DefaultLang][key]; !ok {
			msg = key
		}
	}
	if n, counted := firstCount(args); counted {
		if form, ok := pluralText(l, key, n); ok {
			msg = form
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// T translates into the UI language.
func T(key string, args ...any) string { return Translate(Lang(), key, args...) }

// tkey marks a message key that is built at run time, so the translation test can find it.
func tkey(key string) string { return key }
