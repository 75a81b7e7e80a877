package richtext

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2/theme"
	"golang.org/x/net/html"
)

// maxHrefBytes: longer href attributes are not turned into links.
const maxHrefBytes = 8 << 10

// anchor renders <a>: a hyperlink for allowed schemes, a mention pill for
// user links, plain (still formatted) content otherwise.
func (b *builder) anchor(n *html.Node, st inlineStyle, depth int) {
	href, _ := attr(n, "href")
	u := safeURL(href)
	if u == nil {
		b.children(n, st, depth)
		return
	}
	var sb strings.Builder
	b.walkFlat(n, false, func(s string) { sb.WriteString(s) })
	text := collapse(clean(sb.String()))
	if uid := mentionUserID(u); uid != "" {
		b.pill(uid, text, st)
		return
	}
	b.link(text, u)
}

// pill renders a user mention: bold "@Name", in the primary colour when it
// mentions the own user.
func (b *builder) pill(userID, text string, st inlineStyle) {
	name := ""
	if b.opts.ResolveName != nil {
		name = cleanLabel(b.opts.ResolveName(userID), 100)
	}
	if name == "" {
		name = cleanLabel(text, 100)
	}
	if name == "" {
		name = userID
	}
	if !strings.HasPrefix(name, "@") {
		name = "@" + name
	}
	st.bold = true
	if b.opts.OwnUserID != "" && userID == b.opts.OwnUserID {
		st.color = theme.ColorNamePrimary
	}
	b.addCollapsed(name, st)
}

// safeURL parses href and returns it only for http(s) with a host, mailto
// and matrix URIs. Everything else (javascript:, data:, vbscript:, relative
// links, unparsable input) yields nil.
func safeURL(href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" || len(href) > maxHrefBytes {
		return nil
	}
	u, err := url.Parse(href)
	if err != nil {
		return nil
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil
		}
	case "mailto", "matrix":
		if u.Opaque == "" {
			return nil
		}
	default:
		return nil
	}
	return u
}

// mentionUserID returns the user ID for https://matrix.to/#/@user:server
// and matrix:u/user:server links, or "".
func mentionUserID(u *url.URL) string {
	var id string
	switch u.Scheme {
	case "https", "http":
		if !strings.EqualFold(u.Host, "matrix.to") {
			return ""
		}
		id = strings.TrimPrefix(u.Fragment, "/")
		if i := strings.IndexByte(id, '?'); i >= 0 {
			id = id[:i]
		}
	case "matrix":
		rest, ok := strings.CutPrefix(u.Opaque, "u/")
		if !ok {
			return ""
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		rest, err := url.PathUnescape(rest)
		if err != nil {
			return ""
		}
		id = "@" + rest
	default:
		return ""
	}
	if !validUserID(id) {
		return ""
	}
	return id
}

// validUserID checks the shape @localpart:server with printable ASCII.
func validUserID(id string) bool {
	if len(id) < 4 || len(id) > 255 || id[0] != '@' {
		return false
	}
	colon := strings.IndexByte(id, ':')
	if colon < 2 || colon == len(id)-1 {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '&' || c == '\'' {
			return false
		}
	}
	return true
}
