package richtext

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

const own = "@me:example.org"

func testOpts() Options {
	return Options{
		OwnUserID: own,
		ResolveName: func(id string) string {
			switch id {
			case "@alice:example.org":
				return "Alice A."
			case own:
				return "Me"
			case "@evil:example.org":
				return "<b>Evil</b>\n\x00name"
			}
			return ""
		},
		ImageLabel: "Bild",
	}
}

type htmlCase struct {
	name, html, want string
}

func runHTMLCases(t *testing.T, cases []htmlCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			segs := Segments("BODY", tc.html, testOpts())
			if got := dump(segs); got != tc.want {
				t.Errorf("html %q\n got: %s\nwant: %s", tc.html, got, tc.want)
			}
			checkInvariants(t, segs, testOpts().withDefaults())
		})
	}
}

func TestTagMapping(t *testing.T) {
	runHTMLCases(t, []htmlCase{
		{"p", `<p>Hello world</p>`, `"Hello world"[/]`},
		{"two p", `<p>a</p><p>b</p>`, `"a"[/] "b"[/]`},
		{"b", `x <b>bold</b> y`, `"x "[] "bold"[B] " y"[/]`},
		{"strong", `<strong>s</strong>`, `"s"[B,/]`},
		{"i", `<i>it</i> x`, `"it"[I] " x"[/]`},
		{"em", `x <em>e</em>`, `"x "[] "e"[I] ""[/]`},
		{"u", `<u>under</u>`, `"under"[/]`},
		{"bold code is mono", `<b>x <code>c</code></b>`, `"x "[B] "c"[M,/]`},
		{"nested b i", `<b>a<i>b</i></b>`, `"a"[B] "b"[B,I,/]`},
		{"code", `run <code>go  test</code> now`, `"run "[] "go test"[M] " now"[/]`},
		{"pre", "<pre><code>x := 1\n\n  y()\n</code></pre>", `"x := 1\n\n  y()"[M,/]`},
		{"pre keeps markup as text", `<pre>a &lt;b&gt; <b>c</b></pre>`, `"a <b> c"[M,/]`},
		{"h1", `<h1>Title</h1>`, `"Title"[B,H,/]`},
		{"h2", `<h2>Sub</h2>`, `"Sub"[B,S,/]`},
		{"h3-h6", `<h3>3</h3><h4>4</h4><h5>5</h5><h6>6</h6>`, `"3"[B,/] "4"[B,/] "5"[B,/] "6"[B,/]`},
		{"hr", `a<hr>b`, `"a"[/] --- "b"[/]`},
		{"br", `a<br>b<br/><br>c`, `"a"[/] "b"[/] ""[/] "c"[/]`},
		{"br at end of p", `<p>a<br></p><p>b</p>`, `"a"[/] "b"[/]`},
		{"div", `<div>a</div>b<div>c</div>`, `"a"[/] "b"[/] "c"[/]`},
		{"del", `a <del>b</del> c`, `"a ~~b~~ c"[/]`},
		{"strike", `<strike>x</strike>`, `"~~x~~"[/]`},
		{"del trailing space", `<del>x </del>y`, `"~~x~~ y"[/]`},
		{"transparent", `<font color="red">f</font><span data-mx-color="#f00">s</span><sup>2</sup><sub>n</sub>`, `"fs2n"[/]`},
		{"details", `<details><summary>More</summary>hidden text</details>`, `"More"[B,/] "hidden text"[/]`},
		{"blockquote", `<blockquote>q <b>b</b></blockquote>after`,
			`"> "[c=disabled] "q "[I] "b"[B,I,/] "after"[/]`},
		{"blockquote paragraphs", `<blockquote><p>one</p><p>two</p></blockquote>`,
			`"> "[c=disabled] "one"[I] ""[/] "> "[c=disabled] "two"[I] ""[/]`},
		{"nested blockquote", `<blockquote>a<blockquote>b</blockquote></blockquote>`,
			`"> "[c=disabled] "a"[I] ""[/] "> > "[c=disabled] "b"[I] ""[/]`},
		{"pre in quote", "<blockquote><pre>a\n b</pre></blockquote>",
			`"> "[c=disabled] "a"[M,/] "> "[c=disabled] " b"[M,/]`},
		{"unknown tags keep text", `<section><article>x <b>y</b></article></section><blink>z</blink>`, `"x "[] "y"[B] "z"[/]`},
		{"mx-reply removed", `<mx-reply><blockquote><a href="https://matrix.to/#/!r:x/$e">In reply to</a> old</blockquote></mx-reply>new`, `"new"[/]`},
		{"link", `see <a href="https://example.org/a?b=1">the  site</a>.`,
			`"see "[] <https://example.org/a?b=1|the site> "."[/]`},
		{"link without text", `<a href="https://example.org"></a>`, `<https://example.org|https://example.org> ""[/]`},
		{"mailto", `<a href="mailto:a@example.org">mail</a>`, `<mailto:a@example.org|mail> ""[/]`},
		{"matrix uri", `<a href="matrix:r/room:example.org">room</a>`, `<matrix:r/room:example.org|room> ""[/]`},
		{"room permalink stays link", `<a href="https://matrix.to/#/#room:example.org">#room</a>`,
			`<https://matrix.to/#/%23room:example.org|#room> ""[/]`},
		{"uppercase scheme", `<a href="HTTPS://example.org">x</a>`, `<https://example.org|x> ""[/]`},
		{"link with formatting inside", `<a href="https://e.org"><b>bold</b> <img alt="logo"></a>`, `<https://e.org|bold [Bild: logo]> ""[/]`},
		{"linkify text", `go to https://example.org/x, now`, `"go to "[] <https://example.org/x|https://example.org/x> ", now"[/]`},
		{"no linkify in code", `<code>https://example.org</code>`, `"https://example.org"[M,/]`},
		{"img alt", `<img src="mxc://a/b" alt="Katze">`, `"[Bild: Katze]"[/]`},
		{"img title", `<img src="https://evil.example/track.png" title="t">`, `"[Bild: t]"[/]`},
		{"img bare", `<img src="mxc://a/b">`, `"[Bild]"[/]`},
		{"img alt markup", `<img alt="<script>x</script>">`, `"[Bild: ‹script›x‹/script›]"[/]`},
		{"emoticon", `hi <img data-mx-emoticon src="mxc://a/b" alt=":party:">`, `"hi :party:"[/]`},
		{"spoiler", `a <span data-mx-spoiler>secret</span> <span data-mx-spoiler="plot">x</span>`, `"a [Spoiler] [Spoiler: plot]"[/]`},
		{"table", `<table><caption>Cap</caption><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td><p>two</p> <b>2</b></td></tr><tr><td></td><td>x</td></tr></tbody></table>after`,
			`"Cap"[I] ""[/] "A"[B] " |"[c=disabled] " B"[B,/] "1"[] " |"[c=disabled] " two "[] "2"[B,/] " |"[c=disabled] " x"[/] "after"[/]`},
		{"nested table flattened", `<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table></td></tr></table>`, `"a b c"[/]`},
		{"whitespace", "  a \n\t b  <b> c </b> d  ", `"a b "[] "c "[B] "d"[/]`},
		{"nbsp kept", `a&nbsp;&nbsp;b`, `"a\u00a0\u00a0b"[/]`},
	})
}

func TestLists(t *testing.T) {
	runHTMLCases(t, []htmlCase{
		{"ul", `<ul><li>a</li><li><b>b</b> c</li></ul>`, `UL{P("a"[/]); P("b"[B] " c"[/])}`},
		{"ol", `<ol><li>a</li><li>b</li></ol>`, `OL1{P("a"[/]); P("b"[/])}`},
		{"ol start", `<ol start="7"><li>a</li></ol>`, `OL7{P("a"[/])}`},
		{"ol bad start", `<ol start="x99"><li>a</li></ol>`, `OL1{P("a"[/])}`},
		{"empty item", `<ul><li></li><li>x</li></ul>`, `UL{P(""[/]); P("x"[/])}`},
		{"empty list dropped", `a<ul> </ul>b`, `"a"[/] "b"[/]`},
		{"item with paragraphs", `<ul><li><p>a</p><p>b</p></li></ul>`, `UL{P("a"[/] "    "[] "b"[/])}`},
		{"link last in item", `<ul><li><a href="https://e.org">e</a></li></ul>`, `UL{P(<https://e.org|e> ""[/])}`},
		{"nested", `<ul><li>a<ul><li>b</li><li>c<ol start="3"><li>d</li></ol></li></ul></li><li>e</li></ul>`,
			`UL{P("a"[/] "    "[] "• "[B] "b"[/] "    "[] "• "[B] "c"[/] "        "[] "3. "[B] "d"[/]); P("e"[/])}`},
		{"list in quote", `<blockquote><ol><li>a</li><li>b</li></ol></blockquote>`,
			`"> "[c=disabled] "1. "[B] "a"[I] ""[/] "> "[c=disabled] "2. "[B] "b"[I] ""[/]`},
		{"li outside list", `<li>x</li>`, `"• "[B] "x"[/]`},
		{"text directly in ul", `<ul>stray<li>a</li></ul>`, `UL{P("stray"[/]); P("a"[/])}`},
		{"list in table cell flattened", `<table><tr><td><ul><li>a</li><li>b</li></ul></td></tr></table>`, `"a b"[/]`},
	})
}

func TestMentions(t *testing.T) {
	runHTMLCases(t, []htmlCase{
		{"other", `hi <a href="https://matrix.to/#/@alice:example.org">Alice</a>!`, `"hi "[] "@Alice A."[B] "!"[/]`},
		{"own", `<a href="https://matrix.to/#/@me:example.org">me</a>: look`, `"@Me"[B,c=primary] ": look"[/]`},
		{"own percent-encoded with via", `<a href="https://matrix.to/#/%40me%3Aexample.org?via=x.org">m</a>`, `"@Me"[B,c=primary,/]`},
		{"matrix uri", `<a href="matrix:u/alice:example.org?action=chat">a</a>`, `"@Alice A."[B,/]`},
		{"unresolved uses link text", `<a href="https://matrix.to/#/@bob:example.org">Bob</a>`, `"@Bob"[B,/]`},
		{"unresolved no text uses id", `<a href="https://matrix.to/#/@bob:example.org"></a>`, `"@bob:example.org"[B,/]`},
		{"hostile display name", `<a href="https://matrix.to/#/@evil:example.org">e</a>`, `"@‹b›Evil‹/b› �name"[B,/]`},
		{"invalid user id stays link", `<a href="https://matrix.to/#/@no-colon">x</a>`, `<https://matrix.to/#/@no-colon|x> ""[/]`},
		{"fake matrix.to host", `<a href="https://matrix.to.evil.org/#/@alice:example.org">x</a>`, `<https://matrix.to.evil.org/#/@alice:example.org|x> ""[/]`},
	})
}

func TestDroppedContent(t *testing.T) {
	runHTMLCases(t, []htmlCase{
		{"javascript", `<a href="javascript:alert(1)">click</a>`, `"click"[/]`},
		{"javascript mixed case and space", `<a href="  JaVaScRiPt:alert(1)">c</a>`, `"c"[/]`},
		{"javascript entity", `<a href="jav&#x09;ascript:alert(1)">c</a>`, `"c"[/]`},
		{"data", `<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>`, `"d"[/]`},
		{"vbscript", `<a href="vbscript:msgbox">v</a>`, `"v"[/]`},
		{"relative", `<a href="/etc/passwd">r</a> <a href="//evil.org/x">p</a> <a href="#top">f</a>`, `"r p f"[/]`},
		{"file", `<a href="file:///etc/passwd">f</a>`, `"f"[/]`},
		{"http without host", `<a href="http:foo">h</a>`, `"h"[/]`},
		{"script", `a<script>alert("<b>x</b>")</script>b`, `"ab"[/]`},
		{"style", `<style>body{display:none}</style>x`, `"x"[/]`},
		{"iframe object embed", `<iframe src="https://e.org">if</iframe><object>ob</object><embed src="x">x`, `"x"[/]`},
		{"svg math", `<svg><text>s</text><script>x</script></svg><math><mi>m</mi></math>x`, `"x"[/]`},
		{"noscript textarea title", `<noscript><b>n</b></noscript><textarea><script></textarea><title>t</title>x`, `"x"[/]`},
		{"template", `<template><p>t</p></template>x`, `"x"[/]`},
		{"comment", `a<!-- <script>x</script> -->b`, `"ab"[/]`},
		{"event handler attrs ignored", `<b onclick="evil()" style="color:red">x</b>`, `"x"[B,/]`},
		{"form controls", `<form><input value="v"><button>btn</button><select><option>o</option></select>t</form>`, `"t"[/]`},
	})
}

func TestEntitiesAndEncoding(t *testing.T) {
	runHTMLCases(t, []htmlCase{
		{"named", `&lt;b&gt; &amp; &quot;q&quot; &copy;`, `"<b> & \"q\" ©"[/]`},
		{"numeric", `&#65;&#x42;&#x1F600;`, `"AB😀"[/]`},
		{"no semicolon", `&lt &amp x`, `"< & x"[/]`},
		{"unknown entity", `&foo; &`, `"&foo; &"[/]`},
		{"null entity", `a&#0;b`, `"a�b"[/]`},
		{"control entity dropped", `a&#1;b&#x7f;c`, `"abc"[/]`},
		{"c1 entity mapped", `&#x80;`, `"€"[/]`},
		{"raw NUL", "a\x00b", `"a�b"[/]`},
		{"raw NUL in tag", "<\x00script>x", `"<�script>x"[/]`},
		{"raw controls", "a\x01\x1b[31mb\x7fc", `"a[31mbc"[/]`},
		{"broken utf8", "a\xff\xfeb\xc3", `"a��b�"[/]`},
		{"escaped script is text", `&lt;script&gt;alert(1)&lt;/script&gt;`, `"<script>alert(1)</script>"[/]`},
	})
}

func TestStylesAreFyneStyles(t *testing.T) {
	got := Segments("", `<p>para</p><h1>h</h1><h2>s</h2><pre>c</pre><b>x</b> <i>y</i> <code>z</code> w`, Options{})
	want := []widget.RichTextSegment{
		&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: "para"},
		&widget.TextSegment{Style: widget.RichTextStyleHeading, Text: "h"},
		&widget.TextSegment{Style: widget.RichTextStyleSubHeading, Text: "s"},
		&widget.TextSegment{Style: widget.RichTextStyleCodeBlock, Text: "c"},
		&widget.TextSegment{Style: widget.RichTextStyleStrong, Text: "x "},
		&widget.TextSegment{Style: widget.RichTextStyleEmphasis, Text: "y "},
		&widget.TextSegment{Style: widget.RichTextStyleCodeInline, Text: "z"},
		&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: " w"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %s\nwant %s", dump(got), dump(want))
	}
	// Italic text must never end up with exactly the blockquote style, which
	// fyne would indent.
	for _, s := range Segments("", `<p><i>only italic</i></p>`, Options{}) {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Style == widget.RichTextStyleBlockquote {
			t.Errorf("segment %q has the blockquote style", ts.Text)
		}
	}
}

func TestPlainBody(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"empty", "", ``},
		{"whitespace only", " \n\n ", ``},
		{"simple", "hello", `"hello"[/]`},
		{"lines kept", "a\nb\n\nc\n", `"a"[/] "b"[/] ""[/] "c"[/]`},
		{"spaces kept", "a   b\tc", `"a   b\tc"[/]`},
		{"crlf", "a\r\nb\rc", `"a"[/] "b"[/] "c"[/]`},
		{"link", "see https://example.org/x.", `"see "[] <https://example.org/x|https://example.org/x> "."[/]`},
		{"link only", "http://e.org", `<http://e.org|http://e.org> ""[/]`},
		{"two links", "https://a.org https://b.org", `<https://a.org|https://a.org> " "[] <https://b.org|https://b.org> ""[/]`},
		{"parens", "(see https://en.wikipedia.org/wiki/Go_(language))", `"(see "[] <https://en.wikipedia.org/wiki/Go_(language)|https://en.wikipedia.org/wiki/Go_(language)> ")"[/]`},
		{"no other schemes", "javascript:alert(1) ftp://x.org www.x.org", `"javascript:alert(1) ftp://x.org www.x.org"[/]`},
		{"not inside word", "xhttps://e.org", `"xhttps://e.org"[/]`},
		{"scheme only", "https:// nothing", `"https:// nothing"[/]`},
		{"markup is text", "<b>not bold</b> &amp;", `"<b>not bold</b> &amp;"[/]`},
		{"controls", "a\x00b\x1bc\xff", `"a�bc�"[/]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			segs := Segments(tc.body, "", Options{})
			if got := dump(segs); got != tc.want {
				t.Errorf("body %q\n got: %s\nwant: %s", tc.body, got, tc.want)
			}
			checkInvariants(t, segs, Options{}.withDefaults())
		})
	}
	// Whitespace-only formatted_body falls back to the body.
	if got := dump(Segments("plain", "  \n", Options{})); got != `"plain"[/]` {
		t.Errorf("blank formatted body: got %s", got)
	}
}

func TestPlainText(t *testing.T) {
	cases := []struct{ name, body, html, want string }{
		{"plain body", "a\n\nb  c\n", "", "a\n\nb  c"},
		{"html", "ignored", `<h1>T</h1><p>Hello <b>World</b></p>`, "T\nHello World"},
		{"reply stripped", "> <@a:x> old\n\nnew", `<mx-reply><blockquote>old</blockquote></mx-reply>new`, "new"},
		{"lists", "", `<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul><ol start="2"><li>x</li></ol>`, "• a\n• b\n    • c\n2. x"},
		{"quote", "", `<blockquote>q</blockquote>r`, "> q\nr"},
		{"mention link image", "", `<a href="https://matrix.to/#/@bob:x.org">Bob</a> <a href="https://e.org">site</a> <img alt="pic">`, "@Bob site [Image: pic]"},
		{"separator table", "", `a<hr><table><tr><td>1</td><td>2</td></tr></table>`, "a\n---\n1 | 2"},
		{"script", "", `<script>alert(1)</script>visible`, "visible"},
		{"entities", "", `&lt;3 &amp; ok`, "<3 & ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := PlainText(tc.body, tc.html); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if got := PlainTextWithOptions("", `<img alt="x"> <a href="https://matrix.to/#/@alice:example.org">a</a>`, testOpts()); got != "[Bild: x] @Alice A." {
		t.Errorf("with options: got %q", got)
	}
}

func TestOnLink(t *testing.T) {
	var got *url.URL
	segs := Segments("", `<a href="https://example.org/p">x</a>`, Options{OnLink: func(u *url.URL) { got = u }})
	h, ok := segs[0].(*widget.HyperlinkSegment)
	if !ok || h.OnTapped == nil {
		t.Fatalf("want hyperlink with OnTapped, got %s", dump(segs))
	}
	h.OnTapped()
	if got == nil || got.String() != "https://example.org/p" {
		t.Errorf("OnLink got %v", got)
	}
	// Without OnLink fyne's default opener is used.
	segs = Segments("", `<a href="https://example.org/p">x</a>`, Options{})
	if segs[0].(*widget.HyperlinkSegment).OnTapped != nil {
		t.Error("OnTapped set without OnLink")
	}
}

func TestDepthCap(t *testing.T) {
	// 100 nested <b><i> pairs (200 levels, below the parser's 512): markup
	// up to MaxDepth is interpreted, the rest is flattened to text.
	h := strings.Repeat("<b><i>", 100) + "deep <script>x</script><img alt=a>" + strings.Repeat("</i></b>", 100)
	segs := Segments("", h, Options{})
	if got, want := dump(segs), `"deep [Image: a]"[B,I,/]`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
	// Blocks below the cap become spaces; quotes stop nesting at the cap.
	h = strings.Repeat("<div>", 70) + "x<p>y</p>z" + strings.Repeat("</div>", 70)
	if got, want := dump(Segments("", h, Options{MaxDepth: 10})), `"x y z"[/]`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
	h = strings.Repeat("<blockquote>", 5) + "q"
	if got, want := dump(Segments("", h, Options{MaxDepth: 3})), `"> > > "[c=disabled] "q"[I] ""[/]`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
	// Nested lists beyond the cap.
	h = strings.Repeat("<ul><li>x", 40)
	segs = Segments("", h, Options{})
	checkInvariants(t, segs, Options{}.withDefaults())
	if n := strings.Count(SegmentsText(segs), "x"); n != 40 {
		t.Errorf("nested lists: %d x, want 40", n)
	}
	// Deeper than the HTML parser accepts (512): the plain body is shown.
	h = strings.Repeat("<div>", 10000) + "x"
	if got, want := dump(Segments("fallback body", h, Options{})), `"fallback body"[/]`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestSizeCaps(t *testing.T) {
	o := Options{}.withDefaults()
	// Text cap.
	h := "<p>" + strings.Repeat("word ", 20000) + "</p>"
	segs := Segments("", h, Options{})
	checkInvariants(t, segs, o)
	txt := SegmentsText(segs)
	if !strings.HasSuffix(txt, Ellipsis) || len(txt) != DefaultMaxTextBytes {
		t.Errorf("text cap: len %d, suffix %q", len(txt), txt[len(txt)-10:])
	}
	// Segment cap.
	h = strings.Repeat("<b>a</b><i>b</i>", 5000)
	segs = Segments("", h, Options{})
	checkInvariants(t, segs, o)
	if n := countSegs(segs); n < DefaultMaxSegments-reserveSegs || n > DefaultMaxSegments {
		t.Errorf("segment cap: %d segments", n)
	}
	if !strings.HasSuffix(SegmentsText(segs), "a"+Ellipsis) && !strings.HasSuffix(SegmentsText(segs), "b"+Ellipsis) {
		t.Errorf("segment cap: no ellipsis: %q", SegmentsText(segs)[len(SegmentsText(segs))-10:])
	}
	// Lists and rows.
	for _, h := range []string{
		"<ul>" + strings.Repeat("<li>x</li>", 5000) + "</ul>",
		strings.Repeat("<p>a</p>", 5000),
		strings.Repeat("a<br>", 5000),
		strings.Repeat("<br>", 5000),
		strings.Repeat("<ul><li></li></ul>", 5000),
		strings.Repeat("<hr>", 5000),
		strings.Repeat("<blockquote><ul><li>a<ol><li>b</li></ol></li></ul></blockquote>", 1000),
		"<table>" + strings.Repeat("<tr><td>a</td><td>b</td></tr>", 5000) + "</table>",
		strings.Repeat(`<a href="https://e.org">l</a>`, 5000),
		"<pre>" + strings.Repeat("line\n", 100000) + "</pre>",
		"<blockquote><pre>" + strings.Repeat("line\n", 100000) + "</pre></blockquote>",
	} {
		segs := Segments("", h, Options{})
		checkInvariants(t, segs, o)
		if txt := SegmentsText(segs); !strings.HasSuffix(txt, Ellipsis) {
			t.Errorf("%.40q...: no ellipsis at end: %q", h, txt[max(0, len(txt)-20):])
		}
	}
	// Plain body caps.
	segs = Segments(strings.Repeat("line https://e.org\n", 20000), "", Options{})
	checkInvariants(t, segs, o)
	if !strings.HasSuffix(SegmentsText(segs), Ellipsis) {
		t.Error("plain body: no ellipsis")
	}
	// Small custom caps are honoured exactly.
	small := Options{MaxTextBytes: 20, MaxSegments: 16}
	segs = Segments("", strings.Repeat("<b>ab</b> <i>cd</i> ", 50), small)
	checkInvariants(t, segs, small.withDefaults())
	if got := SegmentsText(segs); got != "ab cd ab cd ab cd"+Ellipsis {
		t.Errorf("small caps: %q", got)
	}
	// Oversized input is cut before parsing.
	segs = Segments("", strings.Repeat("<span>a</span>", 30000), Options{})
	checkInvariants(t, segs, o)
	if txt := SegmentsText(segs); strings.Contains(txt, "<") || !strings.HasSuffix(txt, Ellipsis) {
		t.Errorf("oversized input: %q", txt[len(txt)-20:])
	}
}

// countSegs counts segments including nested ones.
func countSegs(segs []widget.RichTextSegment) int {
	n := 0
	for _, s := range segs {
		n++
		switch s := s.(type) {
		case *widget.ListSegment:
			n += countSegs(s.Items)
		case *widget.ParagraphSegment:
			n += countSegs(s.Texts)
		}
	}
	return n
}

// checkInvariants verifies caps and structure of a rendering.
func checkInvariants(t testing.TB, segs []widget.RichTextSegment, o Options) {
	t.Helper()
	if n := countSegs(segs); n > o.MaxSegments {
		t.Errorf("%d segments > cap %d", n, o.MaxSegments)
	}
	textBytes := 0
	var walk func(segs []widget.RichTextSegment, top bool)
	walk = func(segs []widget.RichTextSegment, top bool) {
		if !top && len(segs) == 0 {
			t.Errorf("empty container")
		}
		// Every row must be closed, or fyne would run it into the next one.
		if len(segs) > 0 && segs[len(segs)-1].Inline() {
			t.Errorf("container ends with an inline segment: %s", dump(segs))
		}
		for _, s := range segs {
			var text string
			switch s := s.(type) {
			case *widget.TextSegment:
				text = s.Text
			case *widget.HyperlinkSegment:
				text = s.Text
				if s.URL == nil {
					t.Errorf("hyperlink without URL")
				} else if sc := s.URL.Scheme; sc != "http" && sc != "https" && sc != "mailto" && sc != "matrix" {
					t.Errorf("hyperlink scheme %q", sc)
				}
			case *widget.ListSegment:
				if len(s.Items) == 0 {
					t.Errorf("empty list")
				}
				for _, it := range s.Items {
					p, ok := it.(*widget.ParagraphSegment)
					if !ok {
						t.Fatalf("list item %T", it)
					}
					walk(p.Texts, false)
				}
			case *widget.ParagraphSegment:
				walk(s.Texts, false)
			case *widget.SeparatorSegment:
			default:
				t.Fatalf("unexpected segment %T", s)
			}
			textBytes += len(text)
			if !utf8.ValidString(text) {
				t.Errorf("invalid UTF-8 in %q", text)
			}
			for _, r := range text {
				if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
					t.Errorf("control character %U in %q", r, text)
					break
				}
			}
			if strings.Contains(text, "\n") {
				if ts, ok := s.(*widget.TextSegment); !ok || ts.Style != widget.RichTextStyleCodeBlock {
					t.Errorf("newline outside a code block: %q", text)
				}
			}
		}
	}
	walk(segs, true)
	if textBytes > o.MaxTextBytes {
		t.Errorf("%d text bytes > cap %d", textBytes, o.MaxTextBytes)
	}
}

func TestPanicFallback(t *testing.T) {
	o := Options{ResolveName: func(string) string { panic("boom") }}
	segs := Segments("body text", `<a href="https://matrix.to/#/@a:b.org">x</a>`, o)
	if got := dump(segs); got != `"body text"[/]` {
		t.Errorf("got %s", got)
	}
}

func TestStyleHelper(t *testing.T) {
	if got := (inlineStyle{}).rich(); got != widget.RichTextStyleInline {
		t.Errorf("plain inline style %+v", got)
	}
	if got := (inlineStyle{bold: true, color: theme.ColorNamePrimary}).rich(); got.ColorName != theme.ColorNamePrimary || got.TextStyle != (fyne.TextStyle{Bold: true}) {
		t.Errorf("pill style %+v", got)
	}
}
