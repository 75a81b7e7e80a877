package richtext

import (
	"strings"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderHTML renders org.matrix.custom.html. ok is false when the HTML
// could not be parsed (the parser rejects nesting deeper than 512).
func renderHTML(src string, opts Options) (segs []widget.RichTextSegment, ok bool) {
	o := opts.withDefaults()
	truncated := len(src) > MaxInputBytes
	if truncated {
		src = cutUTF8(src, MaxInputBytes)
		// Do not leave half a tag behind.
		if lt := strings.LastIndexByte(src, '<'); lt >= 0 && strings.IndexByte(src[lt:], '>') < 0 {
			src = src[:lt]
		}
	}
	src = clean(src)
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(src), ctx)
	if err != nil {
		return nil, false
	}
	b := newBuilder(o)
	for _, n := range nodes {
		if b.full {
			break
		}
		b.node(n, inlineStyle{}, 0)
	}
	if truncated {
		b.truncate()
	}
	return b.finish(), true
}

func (b *builder) node(n *html.Node, st inlineStyle, depth int) {
	switch n.Type {
	case html.TextNode:
		b.text(n.Data, st)
	case html.ElementNode:
		b.element(n, st, depth)
	}
}

func (b *builder) children(n *html.Node, st inlineStyle, depth int) {
	for c := n.FirstChild; c != nil && !b.full; c = c.NextSibling {
		b.node(c, st, depth+1)
	}
}

// text adds a text node: whitespace collapsed, bare URLs linkified.
func (b *builder) text(s string, st inlineStyle) {
	s = clean(s)
	if b.noLinkify == 0 {
		for !b.full {
			start, end, u := findURL(s)
			if u == nil {
				break
			}
			b.addCollapsed(s[:start], st)
			b.link(s[start:end], u)
			s = s[end:]
		}
	}
	b.addCollapsed(s, st)
}

// dropped reports elements whose whole subtree is never shown.
func dropped(n *html.Node) bool {
	if n.Namespace != "" { // svg and math content
		return true
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Iframe, atom.Object, atom.Embed, atom.Svg, atom.Math,
		atom.Noscript, atom.Template, atom.Textarea, atom.Title, atom.Xmp, atom.Noembed,
		atom.Noframes, atom.Plaintext, atom.Head, atom.Frameset, atom.Frame, atom.Applet,
		atom.Select, atom.Datalist, atom.Param, atom.Source, atom.Track, atom.Link, atom.Meta,
		atom.Base, atom.Input, atom.Button:
		return true
	case 0:
		return n.Data == "mx-reply"
	}
	return false
}

// blockish reports elements that separate words when flattened.
func blockish(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Br, atom.Hr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Pre, atom.Ul, atom.Ol, atom.Li, atom.Table, atom.Tr, atom.Td, atom.Th,
		atom.Caption, atom.Details, atom.Summary, atom.Thead, atom.Tbody, atom.Tfoot:
		return true
	}
	return false
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func (b *builder) element(n *html.Node, st inlineStyle, depth int) {
	if dropped(n) {
		return
	}
	if depth >= b.opts.MaxDepth {
		b.flatten(n, st)
		return
	}
	switch n.DataAtom {
	case atom.B, atom.Strong:
		st.bold = true
	case atom.I, atom.Em:
		st.italic = true
	case atom.Code:
		st.mono = true
		b.noLinkify++
		b.children(n, st, depth)
		b.noLinkify--
		return
	case atom.Del, atom.Strike:
		// Fyne has no strikethrough; mark the text the markdown way.
		rs := st.rich()
		b.word("~~", rs)
		b.children(n, st, depth)
		// "<del>x </del>y" shows "~~x~~ y", not "~~x ~~y".
		sp, spStyle := b.pendingSpace, b.spaceStyle
		b.pendingSpace = false
		b.word("~~", rs)
		if sp && b.rowOpen {
			b.pendingSpace, b.spaceStyle = true, spStyle
		}
		return
	case atom.U:
		// Fyne cannot draw underlines in rich text; the text stays plain.
	case atom.Span:
		if reason, ok := attr(n, "data-mx-spoiler"); ok {
			b.addCollapsed(b.bracketLabel(b.opts.SpoilerLabel, reason), st)
			return
		}
	case atom.A:
		b.anchor(n, st, depth)
		return
	case atom.Img:
		b.addCollapsed(b.imgLabel(n), st)
		return
	case atom.Br:
		switch {
		case b.inline > 0:
			b.space()
		case b.rowOpen:
			b.endRow()
		default:
			b.blankRow()
		}
		return
	case atom.Hr:
		if b.inline > 0 {
			b.space()
		} else {
			b.separator()
		}
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		st.bold = true
		switch headingLevel(n.DataAtom) {
		case 1:
			st.size = theme.SizeNameHeadingText
		case 2:
			st.size = theme.SizeNameSubHeadingText
		}
		b.block(n, st, depth)
		return
	case atom.Summary:
		st.bold = true
		b.block(n, st, depth)
		return
	case atom.P, atom.Div, atom.Details, atom.Caption, atom.Tr, atom.Td, atom.Th,
		atom.Thead, atom.Tbody, atom.Tfoot:
		b.block(n, st, depth)
		return
	case atom.Blockquote:
		st.italic = true
		if b.inline > 0 {
			b.block(n, st, depth)
			return
		}
		b.endRow()
		b.ctx = append(b.ctx, ctxEntry{kind: ctxQuote})
		b.children(n, st, depth)
		b.endRow()
		b.ctx = b.ctx[:len(b.ctx)-1]
		return
	case atom.Pre:
		b.pre(n)
		return
	case atom.Ul, atom.Ol:
		b.list(n, st, depth)
		return
	case atom.Li:
		// An item outside a list (the parser keeps those).
		if b.inline > 0 {
			b.block(n, st, depth)
			return
		}
		b.items(n, []*html.Node{n}, false, 1, st, depth)
		return
	case atom.Table:
		b.table(n, st, depth)
		return
	}
	b.children(n, st, depth)
}

// block renders n's children on rows of their own (or separated by spaces
// when block structure is flattened).
func (b *builder) block(n *html.Node, st inlineStyle, depth int) {
	if b.inline > 0 {
		b.space()
		b.children(n, st, depth)
		b.space()
		return
	}
	b.endRow()
	b.children(n, st, depth)
	b.endRow()
}

// flatten adds the text below n (n included) without interpreting markup,
// iteratively, for content nested deeper than MaxDepth.
func (b *builder) flatten(n *html.Node, st inlineStyle) {
	b.walkFlat(n, false, func(s string) { b.addCollapsed(clean(s), st) })
}

// walkFlat calls emit with the visible text below root in document order
// without recursion. Dropped elements are skipped, images and spoilers
// yield their labels. In pre mode <br> yields "\n"; otherwise block-level
// elements yield " ".
func (b *builder) walkFlat(root *html.Node, pre bool, emit func(string)) {
	enter := func(n *html.Node) bool {
		switch n.Type {
		case html.TextNode:
			emit(n.Data)
			return false
		case html.ElementNode:
		default:
			return false
		}
		if dropped(n) {
			return false
		}
		switch n.DataAtom {
		case atom.Img:
			emit(b.imgLabel(n))
			return false
		case atom.Br:
			if pre {
				emit("\n")
			} else {
				emit(" ")
			}
			return false
		case atom.Span:
			if reason, ok := attr(n, "data-mx-spoiler"); ok {
				emit(b.bracketLabel(b.opts.SpoilerLabel, reason))
				return false
			}
		}
		if !pre && blockish(n) {
			emit(" ")
		}
		return true
	}
	leave := func(n *html.Node) {
		if !pre && n.Type == html.ElementNode && blockish(n) {
			emit(" ")
		}
	}
	n := root
	for !b.full {
		if enter(n) && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for {
			leave(n)
			if n == root || n.Parent == nil {
				return
			}
			if n.NextSibling != nil {
				n = n.NextSibling
				break
			}
			n = n.Parent
		}
	}
}

// bracketLabel returns "[label]" or "[label: detail]".
func (b *builder) bracketLabel(label, detail string) string {
	detail = cleanLabel(detail, 200)
	if detail == "" {
		return "[" + label + "]"
	}
	return "[" + label + ": " + detail + "]"
}

// imgLabel describes an image without loading it. Custom emoji
// (data-mx-emoticon) show their alt text, e.g. ":party:".
func (b *builder) imgLabel(n *html.Node) string {
	alt, _ := attr(n, "alt")
	if strings.TrimSpace(alt) == "" {
		alt, _ = attr(n, "title")
	}
	if _, emote := attr(n, "data-mx-emoticon"); emote {
		if a := cleanLabel(alt, 100); a != "" {
			return a
		}
	}
	return b.bracketLabel(b.opts.ImageLabel, alt)
}
