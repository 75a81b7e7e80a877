package incident

import (
	"fmt"
	"strings"
	"time"
)

// Placeholders of the room name, topic and alert text patterns. Dates and times are local to
// Europe/Berlin. "{{" and "}}" stand for literal braces.
var placeholders = map[string]func(v Values) string{
	"date":     func(v Values) string { return v.Time.Format("02.01.2006") },
	"time":     func(v Values) string { return v.Time.Format("15:04") },
	"iso_date": func(v Values) string { return v.Time.Format("2006-01-02") },
	"keyword":  func(v Values) string { return v.Keyword },
	"address":  func(v Values) string { return v.Address },
	"template": func(v Values) string { return v.Template },
}

// Placeholders lists the placeholder names, for docs and errors.
const Placeholders = "{date}, {time}, {iso_date}, {keyword}, {address}, {template}"

// Values fill a pattern's placeholders.
type Values struct {
	Time     time.Time // already in the zone to show
	Keyword  string
	Address  string
	Template string // the template's display name
}

// checkPattern reports the first problem of a pattern: an unknown placeholder or an unclosed brace.
func checkPattern(p string) error {
	_, err := expand(p, Values{})
	return err
}

// expand fills a pattern.
func expand(p string, v Values) (string, error) { return expandMode(p, v, false) }

// lineSeparators are dropped next to an empty placeholder in one-line patterns.
const lineSeparators = " -–—,;/|"

// expandMode fills a pattern; in a line, an empty placeholder takes the separator before it along
// ("{keyword}, {address} (…)" without an address is "B3 (…)").
func expandMode(p string, v Values, line bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '{' && i+1 < len(p) && p[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(p) && p[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(p[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("unclosed { (use {{ for a literal brace)")
			}
			name := p[i+1 : i+end]
			f, ok := placeholders[name]
			if !ok {
				return "", fmt.Errorf("unknown placeholder {%s} (known: %s)", truncate(name, 40), Placeholders)
			}
			val := f(v)
			if val == "" && line {
				kept := strings.TrimRight(b.String(), lineSeparators)
				b.Reset()
				b.WriteString(kept)
			}
			b.WriteString(val)
			i += end
		case c == '}':
			return "", fmt.Errorf("a lone } (use }} for a literal brace)")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// expandLine fills a one-line pattern (room name, topic): runs of white space become one space,
// and separators left at the ends by empty placeholders go ("B3 – " without an address is "B3").
func expandLine(p string, v Values) (string, error) {
	s, err := expandMode(p, v, true)
	if err != nil {
		return "", err
	}
	return strings.Trim(strings.Join(strings.Fields(s), " "), lineSeparators), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
