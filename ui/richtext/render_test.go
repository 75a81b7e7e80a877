package richtext

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// renderSamples are rendered headlessly by TestRenderHeadless and also seed
// the fuzzer.
var renderSamples = []string{
	`<p>Hello <b>world</b>, <i>it</i> <u>u</u> <code>c</code> <del>d</del></p>`,
	`<h1>H1</h1><h2>H2</h2><h3>H3</h3><h6>H6</h6><hr><pre><code>func main() {
	fmt.Println("hi")
}</code></pre>`,
	`<blockquote><p>quote <b>b</b></p><blockquote>inner</blockquote><ul><li>x</li></ul><pre>a
b</pre></blockquote>after`,
	`<ul><li>a</li><li>b<ul><li>c<ol start="5"><li>d</li><li></li></ol></li></ul></li><li></li><li><a href="https://e.org">e</a></li></ul>`,
	`<ol><li><p>p1</p><p>p2</p></li><li><blockquote>q</blockquote></li><li><hr></li><li><pre>x</pre></li></ol>`,
	`<table><caption>c</caption><tr><th>A</th><th>B</th></tr><tr><td>1</td><td><a href="https://e.org">2</a></td></tr></table>`,
	`<a href="https://matrix.to/#/@alice:example.org">Alice</a> <a href="https://matrix.to/#/@me:example.org">me</a> https://example.org/x`,
	`<img alt="Katze"> <img data-mx-emoticon alt=":x:"> <span data-mx-spoiler="r">s</span>`,
	`<mx-reply><blockquote>old</blockquote></mx-reply><script>alert(1)</script>new`,
	"a<br><br>b<br>",
	"<p></p><div></div><ul></ul><pre></pre><br>",
	strings.Repeat("<b><i>", 100) + "deep",
	strings.Repeat("<blockquote>", 80) + "deepquote",
	strings.Repeat("<ul><li>x", 60),
	strings.Repeat("<p>long paragraph with many words ", 300),
	strings.Repeat("<li>", 3000) + "x",
}

func TestRenderHeadless(t *testing.T) {
	test.NewTempApp(t)
	var tapped *url.URL
	opts := testOpts()
	opts.OnLink = func(u *url.URL) { tapped = u }
	inputs := append([]string{}, renderSamples...)
	inputs = append(inputs, strings.Repeat("<b>a</b><i>b</i>", 3000)) // segment cap
	for i, h := range inputs {
		segs := Segments("body", h, opts)
		rt := widget.NewRichText(segs...)
		w := test.NewTempWindow(t, rt)
		for _, wrap := range []fyne.TextWrap{fyne.TextWrapWord, fyne.TextWrapBreak, fyne.TextWrapOff} {
			rt.Wrapping = wrap
			for _, width := range []float32{40, 320, 900} {
				w.Resize(fyne.NewSize(width, 600))
				rt.Refresh()
				if len(segs) > 0 && rt.MinSize().Height <= 0 {
					t.Errorf("sample %d: zero height", i)
				}
			}
		}
		// Plain-body rendering of the same text.
		rt.Segments = Segments(h, "", opts)
		rt.Refresh()
	}

	// A rendered hyperlink calls OnLink when tapped.
	rt := widget.NewRichText(Segments("", `go <a href="https://example.org/t">there</a>`, opts)...)
	test.NewTempWindow(t, rt).Resize(fyne.NewSize(300, 100))
	var link *widget.Hyperlink
	for _, o := range test.TempWidgetRenderer(t, rt).Objects() {
		if c, ok := o.(*fyne.Container); ok && len(c.Objects) == 1 {
			o = c.Objects[0]
		}
		if h, ok := o.(*widget.Hyperlink); ok {
			link = h
		}
	}
	if link == nil {
		t.Fatal("no hyperlink widget rendered")
	}
	test.TapAt(link, fyne.NewPos(link.Size().Width/2, link.Size().Height/2))
	if tapped == nil || tapped.String() != "https://example.org/t" {
		t.Errorf("tapped %v", tapped)
	}
}
