package termsafe

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Leitstelle", "Leitstelle"},
		{"", ""},
		{"Grüße 🚒 日本", "Grüße 🚒 日本"},
		{"\x1b]0;pwned\a", `\x1b]0;pwned\x07`},
		{"\x1b[2J", `\x1b[2J`},
		{"\x1b]52;c;ZXZpbA==\a", `\x1b]52;c;ZXZpbA==\x07`},
		{"a\u009bb", `a\u009bb`},
		{"a\x7fb", `a\x7fb`},
		{"evil\u202eexe.txt", `evil\u202eexe.txt`},
		{"\u2066x\u2069\u200e\u200f\u061c", `\u2066x\u2069\u200e\u200f\u061c`},
		{"line1\nline2\tcol\r", `line1\x0aline2\x09col\x0d`},
		{"a\u2028b\u2029", `a\u2028b\u2029`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"\xc2", `\xc2`}, // a cut rune
		{`C:\Users\me`, `C:\Users\me`},
		{`a\b`, `a\b`},
		{`trailing\`, `trailing\`},
		{`\x1b literal`, `\\x1b literal`},
		{`\u202e literal`, `\\u202e literal`},
		{`two \\`, `two \\\`},
		{"\\\x1b", `\\\x1b`},
	} {
		if got := String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := unescape(String(tc.in)); got != tc.in {
			t.Errorf("unescape(String(%q)) = %q", tc.in, got)
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hello\nworld\tx", "hello\nworld\tx"},
		{"a\r\nb", `a\x0d` + "\nb"},
		{"\x1b[2J\nrm -rf", `\x1b[2J` + "\nrm -rf"},
		{"\\\n", "\\\n"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	// A C1 control and an RLO split across writes, ESC sequences, a JSON line and a prompt.
	in := []string{"a\xc2", "\x9bb \xe2\x80", "\xaeX\n", "\x1b]0;t\a\n", `{"x":"\u001b\\x"}` + "\n", "Match? [y/N] ", "\xe2"}
	for _, s := range in {
		if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `a\u009bb \u202eX` + "\n" + `\x1b]0;t\x07` + "\n" + `{"x":"\u001b\\x"}` + "\n" + `Match? [y/N] \xe2`
	if buf.String() != want {
		t.Fatalf("got  %q\nwant %q", buf.String(), want)
	}
}

func TestJSON(t *testing.T) {
	v := map[string]string{"body": "\x1b]0;t\a \x7f \u009b \u202e \u2066 \\x ok"}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	safe := JSON(raw)
	for _, r := range string(safe) {
		if Unsafe(r) {
			t.Fatalf("unsafe rune %U in %s", r, safe)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(safe, &back); err != nil {
		t.Fatal(err)
	}
	if back["body"] != v["body"] {
		t.Fatalf("value changed: %q", back["body"])
	}
}

// FuzzEscape checks that escaped text never holds a rune a terminal acts on, that escaping loses
// nothing (it can be undone), that safe text passes unchanged, and that the stream Writer agrees
// however the stream is cut.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]0;title\a", "\x1b[2J", "\x1b]52;c;AAAA\a", "\u202eabc", "\u009b31m",
		`\x1b`, "\\\x1b", "a\nb\tc", "\xff\xc2", "Lеitstelle\u200b", `\\u`} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, cut uint8) {
		for _, keep := range []bool{false, true} {
			out := escape(s, keep)
			if !utf8.ValidString(out) {
				t.Fatalf("escape(%q, %v) is not UTF-8: %q", s, keep, out)
			}
			for _, r := range out {
				if Unsafe(r) && !(keep && (r == '\n' || r == '\t')) {
					t.Fatalf("escape(%q, %v) = %q holds %U", s, keep, out, r)
				}
			}
			if back := unescape(out); back != s {
				t.Fatalf("escape(%q, %v) = %q does not undo: %q", s, keep, out, back)
			}
			safe := utf8.ValidString(s) && !strings.Contains(s, `\`)
			for _, r := range s {
				safe = safe && !(Unsafe(r) && !(keep && (r == '\n' || r == '\t')))
			}
			if safe && out != s {
				t.Fatalf("safe %q changed to %q", s, out)
			}
		}
		// The stream writer: the same output whatever the cut, no unsafe rune but newline and tab.
		var whole, parts bytes.Buffer
		w1, w2 := NewWriter(&whole), NewWriter(&parts)
		_, _ = w1.Write([]byte(s))
		_ = w1.Flush()
		c := int(cut) % (len(s) + 1)
		_, _ = w2.Write([]byte(s[:c]))
		_, _ = w2.Write([]byte(s[c:]))
		_ = w2.Flush()
		if whole.String() != parts.String() {
			t.Fatalf("Writer differs when cut at %d: %q vs %q", c, whole.String(), parts.String())
		}
		for _, r := range whole.String() {
			if Unsafe(r) && r != '\n' && r != '\t' {
				t.Fatalf("Writer(%q) = %q holds %U", s, whole.String(), r)
			}
		}
		if !utf8.Valid(whole.Bytes()) {
			t.Fatalf("Writer(%q) is not UTF-8", s)
		}
		// JSON: the same value, no raw unsafe rune; and the Writer leaves it alone.
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		safeJSON := JSON(raw)
		var back string
		if err := json.Unmarshal(safeJSON, &back); err != nil || (utf8.ValidString(s) && back != s) {
			t.Fatalf("JSON(%q) = %s decodes to %q (%v)", s, safeJSON, back, err)
		}
		if !passes(safeJSON) {
			t.Fatalf("JSON(%q) = %s holds an unsafe rune", s, safeJSON)
		}
	})
}

// unescape undoes String and Text: \\ is a backslash, \xNN a byte, \uNNNN a rune; any other
// backslash stands for itself.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i += 2
			continue
		case 'x':
			if i+4 <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 4
					continue
				}
			}
		case 'u':
			if i+6 <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += 6
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
