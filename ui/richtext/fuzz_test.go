package richtext

import (
	"strings"
	"testing"
)

// hostileSeeds is the seed corpus of FuzzSegments.
var hostileSeeds = []string{
	"",
	"<b>unclosed <i>tags <ul><li>everywhere <table><tr><td>cell",
	"</b></i></p></div></ul>stray end tags",
	strings.Repeat("<div>", 10000) + "x",
	strings.Repeat("<div>", 500) + "x",
	strings.Repeat("<b><i><u>", 150) + "x",
	strings.Repeat("<blockquote><ul><li>", 150) + "x",
	strings.Repeat("<table><tr><td>", 150) + "x",
	`<a href="https://e.org/` + strings.Repeat("A", 100000) + `">x</a>`,
	`<img alt="` + strings.Repeat("<script>", 10000) + `">`,
	`<p title="` + strings.Repeat("x", 70000) + `">t</p>`,
	"a\x00b<\x00script>alert(1)</script>\x00",
	"<scr\x00ipt>x</scr\x00ipt>",
	"\xff\xfe<b>\xc3\x28</b>\xe2\x82",
	"<script>document.write('<b>x</b>')</script><style>*{}</style>",
	"<svg><script>alert(1)</script><foreignObject><p>x</p></foreignObject></svg>",
	"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
	"<textarea><script>alert(1)</script></textarea>",
	"<plaintext><script>alert(1)</script>",
	"<xmp><script></xmp>",
	"<!--<script>--><b>x</b><!---->",
	"<![CDATA[<script>alert(1)</script>]]>",
	"<a href=\"javascript:alert(1)\">j</a><a href=\"java&#x0A;script:alert(1)\">k</a><a href=\" data:text/html,<script>\">d</a>",
	"<a href=\"https://matrix.to/#/@a:b\"><a href=\"https://matrix.to/#/@c:d\">nested</a></a>",
	"<mx-reply><mx-reply>x</mx-reply>y</mx-reply>z",
	"<ol start=\"-2147483649\"><li>a</li></ol><ol start=\"99999999999999999999\"><li>b</li></ol>",
	"&lt;script&gt;&#60;script&#62;&LT;script&GT;&#x3c;script",
	"<pre>\n\n\t\r\n</pre><pre></pre><code></code>",
	"<table><caption><table><caption>x</caption></table></caption></table>",
	"<details><summary><h1>s</h1></summary><details><summary>t</summary></details></details>",
	"<span data-mx-spoiler=\"<script>\">secret</span>",
	"<img data-mx-emoticon alt=\"\"><img alt=\"\" title=\"\">",
	strings.Repeat("https://e.org/ ", 5000),
	strings.Repeat("<br>", 5000),
	strings.Repeat("<hr>", 3000),
	"<<A>A",                    // found by the fuzzer: literal '<' next to tag content
	"<<b>script</b>&lt;script", // visible "<script" that is legitimately text
}

func FuzzSegments(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s, "plain body https://e.org\n\n<script>")
	}
	for _, s := range renderSamples {
		f.Add(s, "")
	}
	f.Add("", "just a body\nwith lines\x00\xff and https://links.example/x)")
	o := testOpts()
	od := o.withDefaults()
	f.Fuzz(func(t *testing.T, formatted, body string) {
		// The internal renderers are called directly: Segments recovers
		// from panics (falling back to the body), which would hide bugs.
		if strings.TrimSpace(formatted) == "" {
			segs := renderPlain(body, o)
			checkInvariants(t, segs, od)
			_ = SegmentsText(segs)
			return
		}
		segs, ok := renderHTML(formatted, o)
		if !ok {
			return // nesting beyond the parser's limit: Segments shows the body
		}
		checkInvariants(t, segs, od)
		visible := SegmentsText(segs)
		// No markup leaks: every visible '<' needs a source that is text
		// by HTML's rules, i.e. an entity (&lt;, &#60;, ...; bounded by the
		// number of '&') or a literal '<' that cannot start a tag (not
		// followed by a letter, '/', '!' or '?'). '<' from attributes (alt,
		// title, spoiler reasons) and display names is replaced by '‹'.
		// A plain "no '<script' in the output" would be wrong: "&lt;script&gt;"
		// and "<<b>script" are legitimately shown as text.
		sources := strings.Count(formatted, "&") + literalLT(formatted)
		if n := strings.Count(visible, "<"); n > sources {
			t.Fatalf("%d visible '<' but only %d possible sources in input; visible %q", n, sources, visible)
		}
		if !strings.Contains(formatted, "&") && !strings.Contains(formatted, "<<") &&
			strings.Contains(strings.ToLower(visible), "<script") {
			t.Fatalf("visible <script without entity: %q", visible)
		}
	})
}

// literalLT counts '<' characters that the HTML tokenizer treats as text.
func literalLT(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		if i+1 == len(s) {
			n++
			continue
		}
		c := s[i+1]
		if !(c|0x20 >= 'a' && c|0x20 <= 'z' || c == '/' || c == '!' || c == '?') {
			n++
		}
	}
	return n
}
