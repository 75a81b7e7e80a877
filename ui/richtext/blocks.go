package richtext

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pre renders a code block.
func (b *builder) pre(n *html.Node) {
	var sb strings.Builder
	b.walkFlat(n, true, func(s string) { sb.WriteString(s) })
	code := strings.TrimRight(clean(sb.String()), "\n\r\t ")
	code = strings.ReplaceAll(code, "\r", "")
	code = strings.ReplaceAll(code, "\f", " ")
	code = strings.TrimLeft(code, "\n")
	if code == "" {
		return
	}
	st := inlineStyle{mono: true}
	if b.inline > 0 {
		b.addCollapsed(code, st)
		return
	}
	b.endRow()
	if len(b.ctx) == 0 {
		if b.full {
			return
		}
		if !b.roomFor(1) {
			b.truncate()
			return
		}
		code, cut := b.fit(code)
		b.addSeg(&widget.TextSegment{Style: widget.RichTextStyleCodeBlock, Text: code})
		b.lastSeg = nil
		if cut {
			b.truncate()
		}
		return
	}
	// Inside quotes and lists every line needs its prefix.
	for line := range strings.SplitSeq(code, "\n") {
		if b.full {
			return
		}
		b.openRow()
		b.addRaw(line, st.rich())
		b.endRow()
	}
}

// list renders <ul>/<ol>.
func (b *builder) list(n *html.Node, st inlineStyle, depth int) {
	if b.inline > 0 {
		b.block(n, st, depth)
		return
	}
	ordered := n.DataAtom == atom.Ol
	start := 1
	if ordered {
		if v, ok := attr(n, "start"); ok {
			if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > -1e9 && s < 1e9 {
				start = s
			}
		}
	}
	var items []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
			continue
		}
		if c.Type != html.TextNode && c.Type != html.ElementNode {
			continue
		}
		items = append(items, c)
	}
	b.endRow()
	if len(items) == 0 {
		return
	}
	if len(b.ctx) == 0 {
		b.listSegment(items, ordered, start, st, depth)
		return
	}
	b.items(n, items, ordered, start, st, depth)
}

// listSegment renders a top-level list as widget.ListSegment; every item is
// a ParagraphSegment holding the item's rows.
func (b *builder) listSegment(items []*html.Node, ordered bool, start int, st inlineStyle, depth int) {
	if b.full {
		return
	}
	if !b.roomFor(2) { // the list and its first item
		b.truncate()
		return
	}
	ls := &widget.ListSegment{Ordered: ordered}
	if ordered && start != 1 {
		ls.SetStartNumber(start)
	}
	b.addSeg(ls)
	b.lastSeg = nil
	saved := b.cur
	for i, it := range items {
		if i > 0 && b.full {
			break
		}
		if i > 0 && !b.roomFor(1) {
			b.truncate()
			break
		}
		p := &widget.ParagraphSegment{}
		ls.Items = append(ls.Items, p)
		b.segCount++
		b.cur = &p.Texts
		b.ctx = append(b.ctx, ctxEntry{kind: ctxItem})
		b.itemContent(it, st, depth)
		b.endRow()
		b.ctx = b.ctx[:len(b.ctx)-1]
		if len(p.Texts) == 0 {
			b.addSeg(&widget.TextSegment{Style: widget.RichTextStyleParagraph})
			b.lastSeg = nil
		}
		b.cur = saved
	}
	b.cur = saved
}

// items renders list items as rows prefixed with our own bullets and
// indentation (nested lists and lists in quotes, where ListSegment cannot
// express the context).
func (b *builder) items(_ *html.Node, items []*html.Node, ordered bool, start int, st inlineStyle, depth int) {
	for i, it := range items {
		if b.full {
			return
		}
		bullet := "• "
		if ordered {
			bullet = strconv.Itoa(start+i) + ". "
		}
		b.endRow()
		b.ctx = append(b.ctx, ctxEntry{kind: ctxItem, custom: true, bullet: bullet})
		b.itemContent(it, st, depth)
		if !b.ctx[len(b.ctx)-1].started {
			b.blankRow() // empty item: the bullet alone
		}
		b.endRow()
		b.ctx = b.ctx[:len(b.ctx)-1]
	}
}

func (b *builder) itemContent(it *html.Node, st inlineStyle, depth int) {
	if it.Type == html.ElementNode && it.DataAtom == atom.Li {
		if depth+1 >= b.opts.MaxDepth {
			b.flatten(it, st)
			return
		}
		b.children(it, st, depth+1)
		return
	}
	b.node(it, st, depth+1)
}

// table renders each row as one line with cells separated by " | ".
func (b *builder) table(n *html.Node, st inlineStyle, depth int) {
	if b.inline > 0 {
		b.block(n, st, depth)
		return
	}
	b.endRow()
	b.inline++
	defer func() { b.inline-- }()
	var rows func(p *html.Node, d int)
	rows = func(p *html.Node, d int) {
		for c := p.FirstChild; c != nil && !b.full; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Caption:
				cst := st
				cst.italic = true
				b.children(c, cst, d)
				b.endRow()
			case atom.Thead, atom.Tbody, atom.Tfoot:
				if d < b.opts.MaxDepth {
					rows(c, d+1)
				}
			case atom.Tr:
				b.tableRow(c, st, d)
			}
		}
	}
	rows(n, depth+1)
	b.endRow()
}

func (b *builder) tableRow(tr *html.Node, st inlineStyle, depth int) {
	first := true
	for c := tr.FirstChild; c != nil && !b.full; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) {
			continue
		}
		if !first {
			b.pendingSpace = false
			b.seal()
			if b.openRow() {
				b.addRaw(cellSep, sepStyle.rich())
				b.seal()
				b.pendingSpace = true
			}
		}
		first = false
		cst := st
		if c.DataAtom == atom.Th {
			cst.bold = true
		}
		b.children(c, cst, depth+1)
	}
	b.endRow()
}
