package richtext

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dump renders segments in a compact, exact notation for table tests:
//
//	"text"[flags]   TextSegment; flags: B bold, I italic, M mono, U underline,
//	                H heading size, S subheading size, c=<colour> when not the
//	                foreground colour, / when not inline (ends the row)
//	<url|text>      HyperlinkSegment
//	UL{a;b} OL3{..} ListSegment (ordered, start number), items separated by ;
//	P(..)           ParagraphSegment
//	---             SeparatorSegment
func dump(segs []widget.RichTextSegment) string {
	parts := make([]string, 0, len(segs))
	for _, s := range segs {
		parts = append(parts, dumpSeg(s))
	}
	return strings.Join(parts, " ")
}

func dumpSeg(s widget.RichTextSegment) string {
	switch s := s.(type) {
	case *widget.TextSegment:
		var f []string
		st := s.Style
		if st.TextStyle.Bold {
			f = append(f, "B")
		}
		if st.TextStyle.Italic {
			f = append(f, "I")
		}
		if st.TextStyle.Monospace {
			f = append(f, "M")
		}
		if st.TextStyle.Underline {
			f = append(f, "U")
		}
		switch st.SizeName {
		case theme.SizeNameText:
		case theme.SizeNameHeadingText:
			f = append(f, "H")
		case theme.SizeNameSubHeadingText:
			f = append(f, "S")
		default:
			f = append(f, "size="+string(st.SizeName))
		}
		if st.ColorName != theme.ColorNameForeground {
			f = append(f, "c="+string(st.ColorName))
		}
		if !st.Inline {
			f = append(f, "/")
		}
		return strconv.Quote(s.Text) + "[" + strings.Join(f, ",") + "]"
	case *widget.HyperlinkSegment:
		u := "<nil>"
		if s.URL != nil {
			u = s.URL.String()
		}
		return "<" + u + "|" + s.Text + ">"
	case *widget.ListSegment:
		kind := "UL"
		if s.Ordered {
			kind = "OL" + strconv.Itoa(s.StartNumber())
		}
		items := make([]string, 0, len(s.Items))
		for _, it := range s.Items {
			items = append(items, dumpSeg(it))
		}
		return kind + "{" + strings.Join(items, "; ") + "}"
	case *widget.ParagraphSegment:
		return "P(" + dump(s.Texts) + ")"
	case *widget.SeparatorSegment:
		return "---"
	case nil:
		return "NIL"
	}
	return "?"
}
