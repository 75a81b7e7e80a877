package ui

import (
	"fmt"
	"os"
	"strings"
)

// DefaultLang is used when the environment names no language we have. German is the primary UI language.
const DefaultLang = "de"

var messages = map[string]map[string]string{
	"de": {
		"app.title":      "BOS Messenger",
		"no_account":     "Kein Konto in %s. Anmelden mit: bosctl login --data %s --homeserver … --user …",
		"data_dir_inuse": "Das Datenverzeichnis %s wird bereits von einem anderen BOS-Messenger-Prozess verwendet.",
		"open_failed":    "Konto konnte nicht geöffnet werden: %v",
		"sync_stopped":   "Synchronisierung beendet: %v",
		"rooms_failed":   "Raumliste konnte nicht geladen werden: %v",
		"no_rooms":       "Noch keine Räume.",
		"encrypted":      "verschlüsselt",
		"invite":         "%s (Einladung)",
	},
	"en": {
		"app.title":      "BOS Messenger",
		"no_account":     "No account in %s. Sign in with: bosctl login --data %s --homeserver … --user …",
		"data_dir_inuse": "The data dir %s is in use by another BOS Messenger process.",
		"open_failed":    "Could not open the account: %v",
		"sync_stopped":   "Sync stopped: %v",
		"rooms_failed":   "Could not load the room list: %v",
		"no_rooms":       "No rooms yet.",
		"encrypted":      "encrypted",
		"invite":         "%s (invite)",
	},
}

// lang is the UI language, chosen once from the environment.
var lang = LangFromEnv(os.Getenv)

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
// to DefaultLang, then to the key itself.
func Translate(l, key string, args ...any) string {
	msg, ok := messages[l][key]
	if !ok {
		if msg, ok = messages[DefaultLang][key]; !ok {
			msg = key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// T translates into the UI language.
func T(key string, args ...any) string { return Translate(lang, key, args...) }
