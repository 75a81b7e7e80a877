package termsafe

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"
)

// Writer passes a stream on to a terminal with its unsafe runes escaped (\x1b, \u009b; bytes that
// are not UTF-8 as \xNN), keeping newlines and tabs. It is the last line of defence behind
// String and Text: it does not double backslashes, so text escaped by them, and JSON, pass through
// unchanged. A rune split across writes is held back until it is complete; Flush writes what is
// left.
type Writer struct {
	mu    sync.Mutex
	w     io.Writer
	carry []byte // the start of an incomplete UTF-8 sequence
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it on; it reports len(p) when everything was taken.
func (sw *Writer) Write(p []byte) (int, error) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if len(sw.carry) == 0 && passes(p) {
		if _, err := sw.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	data := p
	if len(sw.carry) > 0 {
		data = append(sw.carry, p...)
		sw.carry = nil
	}
	var out bytes.Buffer
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			if !utf8.FullRune(data[i:]) {
				sw.carry = append([]byte(nil), data[i:]...) // wait for the rest of the rune
				break
			}
			fmt.Fprintf(&out, `\x%02x`, data[i])
		} else if r != '\n' && r != '\t' && Unsafe(r) {
			if r < 0x80 {
				fmt.Fprintf(&out, `\x%02x`, r)
			} else {
				fmt.Fprintf(&out, `\u%04x`, r)
			}
		} else {
			out.Write(data[i : i+size])
		}
		i += size
	}
	if out.Len() > 0 {
		if _, err := sw.w.Write(out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// passes reports whether p goes out unchanged: complete, valid UTF-8 without unsafe runes but
// newlines and tabs.
func passes(p []byte) bool {
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if (r == utf8.RuneError && size == 1) || Unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

// Flush writes a held-back incomplete rune, escaped byte by byte.
func (sw *Writer) Flush() error {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if len(sw.carry) == 0 {
		return nil
	}
	var out bytes.Buffer
	for _, c := range sw.carry {
		fmt.Fprintf(&out, `\x%02x`, c)
	}
	sw.carry = nil
	_, err := sw.w.Write(out.Bytes())
	return err
}

// JSON makes the output of encoding/json safe for a terminal without changing the value it
// encodes: encoding/json escapes C0 controls and U+2028/2029 but writes DEL, C1 controls and bidi
// controls raw; JSON replaces them with \u escapes. Such runes can only stand inside strings, so
// the result is the same JSON value.
func JSON(b []byte) []byte {
	if clean(string(b), true) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if (r == 0x7f || (r >= 0x80 && r <= 0x9f) || IsBidiControl(r)) && size >= 1 && r != utf8.RuneError {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
