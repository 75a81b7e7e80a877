package ui

import (
	"strings"
	"testing"

	"bosmessenger/session/call"
)

// A call that fails for want of a connection (ICE) or of an audio device says so in words, in
// both languages, not as the spec's reason code; other reasons keep their code.
func TestCallEndMessage(t *testing.T) {
	defer SetLang(Lang())
	cases := []struct{ reason, de, en string }{
		{call.ReasonICEFailed, "keine Verbindung", "no connection"},
		{call.ReasonUserMediaFailed, "Mikrofon", "microphone"},
		{call.ReasonUnknownError, "unknown_error", "unknown_error"},
	}
	for _, c := range cases {
		for lang, want := range map[string]string{"de": c.de, "en": c.en} {
			SetLang(lang)
			got := callEndMessage(c.reason)
			if !strings.Contains(got, want) {
				t.Errorf("%s %s: %q, want it to contain %q", lang, c.reason, got, want)
			}
			if c.reason != call.ReasonUnknownError && strings.Contains(got, c.reason) {
				t.Errorf("%s %s: %q shows the reason code", lang, c.reason, got)
			}
		}
	}
}
