package richtext

import (
	"net/url"
	"regexp"
	"strings"

	"fyne.io/fyne/v2/widget"
)

var urlRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+`)

// findURL returns the first http(s) URL in s, with trailing punctuation
// (and unbalanced closing brackets) excluded, or a nil URL.
func findURL(s string) (start, end int, u *url.URL) {
	off := 0
	for {
		if !strings.Contains(s[off:], "://") {
			return 0, 0, nil
		}
		loc := urlRE.FindStringIndex(s[off:])
		if loc == nil {
			return 0, 0, nil
		}
		start, end = off+loc[0], off+loc[1]
		end = start + trimURL(s[start:end])
		if p := safeURL(s[start:end]); p != nil && (p.Scheme == "http" || p.Scheme == "https") {
			return start, end, p
		}
		off += loc[1]
	}
}

// trimURL returns the length of candidate without trailing punctuation.
func trimURL(c string) int {
	for len(c) > 0 {
		last := c[len(c)-1]
		switch last {
		case '.', ',', ';', ':', '!', '?', '\'', '*', '_', '}':
			c = c[:len(c)-1]
			continue
		case ')':
			if strings.Count(c, "(") < strings.Count(c, ")") {
				c = c[:len(c)-1]
				continue
			}
		case ']':
			if strings.Count(c, "[") < strings.Count(c, "]") {
				c = c[:len(c)-1]
				continue
			}
		}
		break
	}
	return len(c)
}

// renderPlain renders a plain-text body: one row per line, spaces kept,
// http(s) URLs as hyperlinks.
func renderPlain(body string, opts Options) []widget.RichTextSegment {
	b := newBuilder(opts.withDefaults())
	truncated := len(body) > MaxInputBytes
	body = clean(cutUTF8(body, MaxInputBytes))
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	body = strings.ReplaceAll(body, "\f", " ")
	body = strings.TrimRight(body, " \t\n")
	body = strings.TrimLeft(body, "\n")
	if body == "" {
		return nil
	}
	for line := range strings.SplitSeq(body, "\n") {
		if b.full {
			break
		}
		if line == "" {
			b.blankRow()
			continue
		}
		for !b.full {
			start, end, u := findURL(line)
			if u == nil {
				break
			}
			b.addRaw(line[:start], widget.RichTextStyleInline)
			b.link(line[start:end], u)
			line = line[end:]
		}
		b.addRaw(line, widget.RichTextStyleInline)
		b.endRow()
	}
	if truncated {
		b.truncate()
	}
	return b.finish()
}
