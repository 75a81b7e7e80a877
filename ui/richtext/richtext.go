// Package richtext converts Matrix message bodies into Fyne rich text.
//
// A Matrix m.room.message event carries a plain "body" and, optionally, a
// "formatted_body" in the org.matrix.custom.html format. [Segments] turns
// such a message into [widget.RichTextSegment] values that can be handed to
// [widget.NewRichText]; [PlainText] returns the visible text of the same
// rendering for search, notifications, previews and reply quotes.
//
// The HTML is untrusted input. It is parsed with golang.org/x/net/html and
// walked with a strict whitelist that follows the tag list of the Matrix
// client-server specification: unknown elements are dropped (their text is
// kept), the contents of script, style, iframe, object, embed, svg, math and
// similar elements as well as Matrix reply fallbacks (<mx-reply>) are dropped
// entirely, only http, https, mailto and matrix links survive, and images
// are never fetched (their alt text is shown instead). Nesting depth and the
// size of the output are capped, so hostile messages cannot make the UI
// unresponsive, and the functions never panic.
//
// Mapping onto fyne (v2.7) rich text: b/strong and i/em become bold and
// italic text, code monospace text, pre a RichTextStyleCodeBlock segment,
// h1 and h2 the heading and sub-heading styles (h3-h6 bold), hr a
// SeparatorSegment, a (http, https, mailto, matrix) a HyperlinkSegment and
// matrix.to user links bold "@Name" mention pills. Top-level ul/ol become
// widget.ListSegment; nested lists and lists inside quotes are drawn with
// indented "• " / "N. " bullets, because ListSegment cannot indent. Every
// row of a blockquote starts with a grey "> " (fyne only indents unformatted
// single-segment quote rows), quoted text is italic. Tables become one row
// of text per tr with cells separated by " |". Fyne has no strikethrough or
// underline in rich text: del/strike are shown as ~~text~~, u as plain text.
// Images show "[Image: alt]" (label configurable), custom emoji their alt
// text, spoilers "[Spoiler]" instead of the hidden text.
package richtext

import (
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"
)

// Default limits applied when the corresponding [Options] field is zero.
const (
	// DefaultMaxDepth is the element nesting depth up to which markup is
	// interpreted; deeper content is flattened to plain text.
	DefaultMaxDepth = 64
	// DefaultMaxTextBytes caps the total number of text bytes in the output
	// (including the trailing "…" that marks truncation).
	DefaultMaxTextBytes = 64 << 10
	// DefaultMaxSegments caps the total number of segments in the output,
	// counting segments nested in lists and paragraphs.
	DefaultMaxSegments = 2000
	// MaxInputBytes is the amount of formatted_body or body that is looked
	// at; longer input is cut (Matrix events are at most 64 KiB anyway).
	MaxInputBytes = 256 << 10
)

// Ellipsis is appended to the output when a cap truncated the message.
const Ellipsis = "…"

// Options configures the rendering. The zero value is usable.
type Options struct {
	// OwnUserID is the Matrix user ID of the logged-in user. Mention pills
	// for this user are highlighted with the theme's primary colour.
	OwnUserID string
	// ResolveName returns the display name for a user ID, used as the text
	// of mention pills. When nil or when it returns "", the link text (or
	// the user ID) is used.
	ResolveName func(userID string) string
	// OnLink, when set, is called instead of fyne's default URL opener when
	// the user taps a hyperlink, so the caller can confirm external links
	// or handle matrix: URIs itself.
	OnLink func(*url.URL)

	// ImageLabel is the word shown for inline images, e.g. "Bild" renders
	// <img alt="Katze"> as "[Bild: Katze]". Default "Image".
	ImageLabel string
	// SpoilerLabel is the word shown instead of hidden spoiler content,
	// e.g. "[Spoiler]" or "[Spoiler: reason]". Default "Spoiler".
	SpoilerLabel string

	// MaxDepth overrides DefaultMaxDepth when > 0.
	MaxDepth int
	// MaxTextBytes overrides DefaultMaxTextBytes when > 0. Values below 16
	// are raised to 16.
	MaxTextBytes int
	// MaxSegments overrides DefaultMaxSegments when > 0. Values below 16
	// are raised to 16.
	MaxSegments int
}

func (o Options) withDefaults() Options {
	if o.ImageLabel == "" {
		o.ImageLabel = "Image"
	}
	if o.SpoilerLabel == "" {
		o.SpoilerLabel = "Spoiler"
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = DefaultMaxTextBytes
	}
	if o.MaxTextBytes < 16 {
		o.MaxTextBytes = 16
	}
	if o.MaxSegments <= 0 {
		o.MaxSegments = DefaultMaxSegments
	}
	if o.MaxSegments < 16 {
		o.MaxSegments = 16
	}
	return o
}

// Segments renders a Matrix message as Fyne rich text segments.
//
// When formattedHTML is empty (after trimming whitespace), body is rendered
// as plain text: line breaks are kept and http(s) URLs become hyperlinks.
// Otherwise formattedHTML is rendered (body is then only used if the HTML
// cannot be parsed at all, e.g. when it is nested deeper than the parser
// accepts).
//
// Every paragraph-like row ends with a non-inline segment, so the result
// can be passed directly to [widget.NewRichText]. The result never exceeds
// the configured caps; a truncated message ends in [Ellipsis].
func Segments(body, formattedHTML string, opts Options) (segs []widget.RichTextSegment) {
	defer func() {
		if r := recover(); r != nil {
			// Defence in depth: a bug (or a panicking ResolveName) must not
			// take the UI down. Show the plain body instead.
			segs = safePlain(body, opts)
		}
	}()
	if strings.TrimSpace(formattedHTML) == "" {
		return renderPlain(body, opts)
	}
	if out, ok := renderHTML(formattedHTML, opts); ok {
		return out
	}
	return renderPlain(body, opts)
}

func safePlain(body string, opts Options) (segs []widget.RichTextSegment) {
	defer func() {
		if recover() != nil {
			segs = nil
		}
	}()
	return renderPlain(body, opts)
}

// PlainText returns the visible text of the message as rendered by
// [Segments] with default options: rows are separated by "\n", list items
// start with "• " or "N. ", quotes with "> ". Trailing whitespace is
// removed.
func PlainText(body, formattedHTML string) string {
	return PlainTextWithOptions(body, formattedHTML, Options{})
}

// PlainTextWithOptions is like [PlainText] but honours opts (labels,
// ResolveName for mentions, limits).
func PlainTextWithOptions(body, formattedHTML string, opts Options) string {
	return SegmentsText(Segments(body, formattedHTML, opts))
}

// SegmentsText returns the visible text of segments as produced by
// [Segments]: text of text and hyperlink segments, "\n" after every
// non-inline segment, list bullets, and "---" for separators.
func SegmentsText(segs []widget.RichTextSegment) string {
	var sb strings.Builder
	writeText(&sb, segs)
	return strings.TrimRight(sb.String(), " \t\n")
}

func writeText(sb *strings.Builder, segs []widget.RichTextSegment) {
	for _, s := range segs {
		switch s := s.(type) {
		case *widget.TextSegment:
			sb.WriteString(s.Text)
			if !s.Inline() {
				sb.WriteByte('\n')
			}
		case *widget.HyperlinkSegment:
			sb.WriteString(s.Text)
		case *widget.ListSegment:
			for i, it := range s.Items {
				if s.Ordered {
					sb.WriteString(strconv.Itoa(s.StartNumber() + i))
					sb.WriteString(". ")
				} else {
					sb.WriteString("• ")
				}
				writeText(sb, []widget.RichTextSegment{it})
			}
		case *widget.ParagraphSegment:
			writeText(sb, s.Texts)
		case *widget.SeparatorSegment:
			sb.WriteString("---\n")
		case nil:
		default:
			sb.WriteString(s.Textual())
			if !s.Inline() {
				sb.WriteByte('\n')
			}
		}
	}
}
