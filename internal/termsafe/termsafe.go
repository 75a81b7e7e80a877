// Package termsafe makes remote text safe to print on a terminal. Any room member can put escape
// sequences (ESC, OSC, CSI, BEL) or bidi overrides into a message body, display name or room name;
// printed raw they change the window title, clear the screen, write the clipboard (OSC 52) or
// reorder the line. String and Text escape such runes visibly (\x1b, \u009b, \u202e) and reversibly
// (a backslash that could be read as the start of an escape is doubled), Writer is a safety net for
// a whole output stream and JSON makes encoding/json output safe without changing its value.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Unsafe reports whether a rune must not reach a terminal as it is: C0 controls, DEL, C1 controls,
// the bidi controls (embeddings, overrides, isolates, marks) and the line and paragraph
// separators.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	}
	return IsBidiControl(r) || r == 0x2028 || r == 0x2029
}

// IsBidiControl reports whether r is a bidi formatting character: LRE, RLE, PDF, LRO, RLO
// (U+202A-202E), LRI, RLI, FSI, PDI (U+2066-2069), LRM, RLM (U+200E, U+200F) or ALM (U+061C).
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// String escapes every unsafe rune of s, newlines and tabs included: for one-line fields (names,
// IDs, error texts) that must not break a line or a column.
func String(s string) string { return escape(s, false) }

// Text escapes the unsafe runes of s but keeps newlines and tabs: for message bodies, whose lines
// the caller lays out.
func Text(s string) string { return escape(s, true) }

func escape(s string, keepLines bool) string {
	if clean(s, keepLines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i]) // not UTF-8: the byte in hex
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case Unsafe(r):
			writeEscape(&b, r)
		case r == '\\' && backslashNeedsDoubling(s[i+size:], keepLines):
			b.WriteString(`\\`)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports whether s is printed as it is (no unsafe rune, valid UTF-8, no ambiguous
// backslash).
func clean(s string, keepLines bool) bool {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		case keepLines && (r == '\n' || r == '\t'):
		case Unsafe(r):
			return false
		case r == '\\' && backslashNeedsDoubling(s[i+1:], keepLines):
			return false
		}
	}
	return true
}

// backslashNeedsDoubling tells whether a literal backslash followed by rest would read as the
// start of an escape (\\, \x, \u, or a backslash before an escaped rune), so that escaping stays
// reversible.
func backslashNeedsDoubling(rest string, keepLines bool) bool {
	if rest == "" {
		return false
	}
	r, size := utf8.DecodeRuneInString(rest)
	switch {
	case r == '\\' || r == 'x' || r == 'u':
		return true
	case r == utf8.RuneError && size == 1:
		return true // escaped as \xNN
	case keepLines && (r == '\n' || r == '\t'):
		return false
	}
	return Unsafe(r)
}

func writeEscape(b *strings.Builder, r rune) {
	if r < 0x80 {
		fmt.Fprintf(b, `\x%02x`, r)
	} else {
		fmt.Fprintf(b, `\u%04x`, r)
	}
}
