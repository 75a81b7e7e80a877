package richtext

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// inlineStyle is the character formatting inherited while walking the tree.
type inlineStyle struct {
	bold, italic, mono bool
	color              fyne.ThemeColorName
	size               fyne.ThemeSizeName
}

// rich returns the inline RichTextStyle for s. With no flags set it equals
// widget.RichTextStyleInline; bold alone equals RichTextStyleStrong, italic
// alone RichTextStyleEmphasis, mono alone RichTextStyleCodeInline.
//
// Only the four font variants fyne themes are guaranteed to provide are
// produced: monospace wins over bold/italic (the builtin theme has no bold
// monospace anyway), and Underline is never set, because canvas.Text does
// not draw it and themes that look fonts up by exact TextStyle (such as
// fyne's test theme) return no font for it and make text measuring panic.
func (s inlineStyle) rich() widget.RichTextStyle {
	c := s.color
	if c == "" {
		c = theme.ColorNameForeground
	}
	z := s.size
	if z == "" {
		z = theme.SizeNameText
	}
	return widget.RichTextStyle{
		ColorName: c,
		Inline:    true,
		SizeName:  z,
		TextStyle: fyne.TextStyle{Bold: s.bold && !s.mono, Italic: s.italic && !s.mono, Monospace: s.mono},
	}
}

var (
	// quoteMarker starts every row inside a <blockquote>. Fyne indents only
	// rows consisting of a single RichTextStyleBlockquote segment, which
	// cannot express formatted quotes, so quotes get a visible marker.
	quoteMarker = "> "
	quoteStyle  = inlineStyle{color: theme.ColorNameDisabled}
	bulletStyle = inlineStyle{bold: true}
	indentText  = "    "
	cellSep     = " |"
	sepStyle    = inlineStyle{color: theme.ColorNameDisabled}
)

type ctxKind uint8

const (
	ctxQuote ctxKind = iota
	ctxItem
)

// ctxEntry is an open block that contributes a prefix to every row.
type ctxEntry struct {
	kind    ctxKind
	custom  bool   // list item whose bullet we draw ourselves (not widget.ListSegment)
	bullet  string // bullet text of a custom item, e.g. "• " or "3. "
	started bool   // the item's first row has been opened
}

// reserveSegs is kept free below MaxSegments for the ellipsis and the
// terminators needed to close open rows and list items.
const reserveSegs = 4

// builder accumulates rows of segments. A row is a run of inline segments
// ended by a non-inline one; that is how widget.RichText breaks lines.
type builder struct {
	opts Options

	root []widget.RichTextSegment
	cur  *[]widget.RichTextSegment // container receiving segments

	rowOpen      bool
	pendingSpace bool
	// spaceStyle is the style of the text the pending space came from
	// (zero for structural spaces); the space is attached to that side.
	spaceStyle widget.RichTextStyle
	lastSeg    widget.RichTextSegment // last segment of the open row
	lastText   *widget.TextSegment    // mergeable text segment, its text is in buf
	buf        strings.Builder

	ctx       []ctxEntry
	inline    int // >0: block structure is flattened (table cells)
	noLinkify int // >0: inside <code>
	textBytes int
	segCount  int
	full      bool
}

func newBuilder(o Options) *builder {
	b := &builder{opts: o}
	b.cur = &b.root
	return b
}

// roomFor reports whether n more segments fit below the cap.
func (b *builder) roomFor(n int) bool {
	return b.segCount+n <= b.opts.MaxSegments-reserveSegs
}

// fit cuts s so that the text cap (minus room for the ellipsis) holds and
// accounts for it. cut reports whether s was shortened.
func (b *builder) fit(s string) (out string, cut bool) {
	remaining := b.opts.MaxTextBytes - len(Ellipsis) - b.textBytes
	if remaining < 0 {
		remaining = 0
	}
	if len(s) > remaining {
		i := remaining
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s, cut = s[:i], true
	}
	b.textBytes += len(s)
	return s, cut
}

// seal writes the buffered text of the mergeable segment back into it.
func (b *builder) seal() {
	if b.lastText != nil {
		b.lastText.Text = b.buf.String()
		b.buf.Reset()
		b.lastText = nil
	}
}

func (b *builder) addSeg(s widget.RichTextSegment) {
	*b.cur = append(*b.cur, s)
	b.segCount++
	b.lastSeg = s
}

// truncate marks the output as full and appends the ellipsis.
func (b *builder) truncate() {
	if b.full {
		return
	}
	b.full = true
	b.rowOpen = true // the ellipsis never gets a prefix
	b.pendingSpace = false
	if b.lastText != nil {
		b.buf.WriteString(Ellipsis)
	} else {
		b.addSeg(&widget.TextSegment{Style: widget.RichTextStyleInline, Text: Ellipsis})
	}
	b.textBytes += len(Ellipsis)
}

// openRow starts a row (emitting the prefixes of quotes and list items) if
// none is open. It returns false when the output is full.
func (b *builder) openRow() bool {
	if b.rowOpen {
		return true
	}
	if b.full {
		return false
	}
	b.rowOpen = true
	var pieces [8]struct {
		text string
		st   inlineStyle
	}
	n := 0
	add := func(t string, st inlineStyle) {
		if t == "" {
			return
		}
		if n > 0 && pieces[n-1].st == st {
			pieces[n-1].text += t
			return
		}
		if n == len(pieces) {
			pieces[n-1].text += t // deep nesting: keep the text, drop the style
			return
		}
		pieces[n].text, pieces[n].st = t, st
		n++
	}
	for i := range b.ctx {
		e := &b.ctx[i]
		switch e.kind {
		case ctxQuote:
			add(quoteMarker, quoteStyle)
		case ctxItem:
			if !e.started {
				e.started = true
				if e.custom {
					add(e.bullet, bulletStyle)
				}
			} else {
				add(indentText, inlineStyle{})
			}
		}
	}
	for i := 0; i < n && !b.full; i++ {
		if !b.roomFor(1) {
			b.truncate()
			break
		}
		t, cut := b.fit(pieces[i].text)
		if t != "" {
			b.addSeg(&widget.TextSegment{Style: pieces[i].st.rich(), Text: t})
		}
		if cut {
			b.truncate()
		}
	}
	return !b.full
}

// endRow closes the open row by making its last segment non-inline (or by
// appending an empty paragraph segment when that is not possible).
func (b *builder) endRow() {
	if !b.rowOpen {
		return
	}
	b.seal()
	ended := false
	if t, ok := b.lastSeg.(*widget.TextSegment); ok && t.Text != "" {
		st := t.Style
		st.Inline = false
		// Fyne indents rows whose first segment has exactly the blockquote
		// style; italic text must not get that by accident.
		if st != widget.RichTextStyleBlockquote {
			t.Style = st
			ended = true
		}
	}
	if !ended {
		b.addSeg(&widget.TextSegment{Style: widget.RichTextStyleParagraph})
	}
	b.rowOpen = false
	b.pendingSpace = false
	b.lastSeg = nil
}

// blankRow emits an empty row (for <br> on an empty line and blank lines).
func (b *builder) blankRow() {
	if b.rowOpen || b.full {
		return
	}
	if !b.roomFor(1) {
		b.truncate()
		return
	}
	if b.openRow() {
		b.endRow()
	}
}

// space records structural collapsible whitespace (between blocks that
// are flattened, table cells, ...).
func (b *builder) space() {
	if b.rowOpen && !b.pendingSpace {
		b.pendingSpace = true
		b.spaceStyle = widget.RichTextStyle{}
	}
}

// spaceIn records collapsible whitespace found in text of style rs.
func (b *builder) spaceIn(rs widget.RichTextStyle) {
	if b.rowOpen && !b.pendingSpace {
		b.pendingSpace = true
		b.spaceStyle = rs
	}
}

// addCollapsed adds text with HTML whitespace collapsing.
func (b *builder) addCollapsed(s string, st inlineStyle) {
	rs := st.rich()
	for len(s) > 0 && !b.full {
		i := indexSpace(s)
		if i == 0 {
			b.spaceIn(rs)
			s = trimLeftSpace(s)
			continue
		}
		if i < 0 {
			i = len(s)
		}
		b.word(s[:i], rs)
		s = s[i:]
	}
}

// word adds text without whitespace handling, preceded by a pending space.
func (b *builder) word(w string, rs widget.RichTextStyle) {
	if w == "" {
		return
	}
	wasOpen := b.rowOpen
	if !b.openRow() {
		return
	}
	if wasOpen && b.pendingSpace {
		b.pendingSpace = false
		// Like HTML, keep the space with the text it was written in:
		// "x <b>y</b> z" gives "x ", "y", " z".
		last := b.lastText != nil && (b.spaceStyle == widget.RichTextStyle{} ||
			b.lastText.Style == b.spaceStyle || rs != b.spaceStyle)
		if last {
			if s, _ := b.fit(" "); s != "" {
				b.buf.WriteString(s)
			}
		} else {
			w = " " + w
		}
	}
	b.addRaw(w, rs)
}

// addRaw appends text to the open row (opening one if needed), merging it
// into the previous segment when the style is the same.
func (b *builder) addRaw(w string, rs widget.RichTextStyle) {
	if w == "" || !b.openRow() {
		return
	}
	if b.lastText == nil || b.lastText.Style != rs {
		if !b.roomFor(1) {
			b.truncate()
			return
		}
		b.seal()
		t := &widget.TextSegment{Style: rs}
		b.addSeg(t)
		b.lastText = t
	}
	w, cut := b.fit(w)
	b.buf.WriteString(w)
	if cut {
		b.truncate()
	}
}

// urlText shows a URL without raw angle brackets (like a browser's address
// bar does).
var urlText = strings.NewReplacer("<", "%3C", ">", "%3E")

// link adds a hyperlink segment.
func (b *builder) link(text string, u *url.URL) {
	if text == "" {
		text = urlText.Replace(u.String())
	}
	wasOpen := b.rowOpen
	if !b.openRow() {
		return
	}
	if wasOpen && b.pendingSpace {
		b.pendingSpace = false
		if b.lastText != nil {
			if s, _ := b.fit(" "); s != "" {
				b.buf.WriteString(s)
			}
		} else {
			b.addRaw(" ", widget.RichTextStyleInline)
		}
	}
	if b.full {
		return
	}
	if !b.roomFor(1) {
		b.truncate()
		return
	}
	b.seal()
	text, cut := b.fit(text)
	seg := &widget.HyperlinkSegment{Alignment: fyne.TextAlignLeading, Text: text, URL: u}
	if b.opts.OnLink != nil {
		onLink := b.opts.OnLink
		seg.OnTapped = func() { onLink(u) }
	}
	b.addSeg(seg)
	if cut {
		b.truncate()
	}
}

// separator adds a horizontal rule.
func (b *builder) separator() {
	b.endRow()
	if b.full {
		return
	}
	if !b.roomFor(1) {
		b.truncate()
		return
	}
	b.addSeg(&widget.SeparatorSegment{})
	b.lastSeg = nil
}

// finish closes the last row and returns the segments.
func (b *builder) finish() []widget.RichTextSegment {
	b.endRow()
	b.seal()
	return b.root
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func indexSpace(s string) int {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return i
		}
	}
	return -1
}

func trimLeftSpace(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

// collapse applies HTML whitespace collapsing and trims the result.
func collapse(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpace(c) {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// needsClean reports whether s has invalid UTF-8 or control characters
// other than tab, newline, carriage return and form feed.
func needsClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r >= 0x80 && r <= 0x9f {
			return true
		}
		i += size
	}
	return false
}

// clean replaces invalid UTF-8 and NUL with U+FFFD and removes the other C0
// and C1 control characters (tab, newline, CR and form feed stay).
func clean(s string) string {
	if !needsClean(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1, r == 0:
			sb.WriteRune(utf8.RuneError)
		case r == '\t' || r == '\n' || r == '\r' || r == '\f':
			sb.WriteRune(r)
		case r < 0x20 || r >= 0x7f && r <= 0x9f:
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// cleanLabel makes attribute-derived or caller-supplied text (alt, title,
// display names) safe for display: controls removed, whitespace collapsed,
// angle brackets replaced, length capped at maxRunes.
func cleanLabel(s string, maxRunes int) string {
	s = collapse(clean(s))
	if strings.ContainsAny(s, "<>") {
		s = strings.NewReplacer("<", "‹", ">", "›").Replace(s)
	}
	if utf8.RuneCountInString(s) > maxRunes {
		n := 0
		for i := range s {
			if n == maxRunes {
				return s[:i] + Ellipsis
			}
			n++
		}
	}
	return s
}

// cutUTF8 shortens s to at most n bytes at a rune boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
