package richtext

import (
	"strings"
	"testing"
)

// typicalMessage is a ~2 KB formatted_body as sent by Element for a
// markdown message: reply fallback, paragraphs, mention, links, list, code
// and a quote.
var typicalMessage = `<mx-reply><blockquote><a href="https://matrix.to/#/!room:example.org/$event">In reply to</a> <a href="https://matrix.to/#/@alice:example.org">@alice:example.org</a><br>Can someone look at the deploy?</blockquote></mx-reply>` +
	`<p>Hi <a href="https://matrix.to/#/@alice:example.org">Alice</a>, I looked at the <strong>deploy</strong> of <em>v2.3.1</em> and found the problem. ` +
	`The log is at <a href="https://logs.example.org/build/12345?tab=output">the build page</a> and the issue is tracked in https://github.com/example/project/issues/678.</p>` +
	`<p>Summary of what happened:</p><ol><li>The migration <code>0042_add_index</code> ran twice.</li><li>The second run <em>failed</em> because the index already existed.</li>` +
	`<li>The service then restarted in a loop:<ul><li>first with exit code 1</li><li>then with a <strong>timeout</strong></li></ul></li></ol>` +
	`<pre><code class="language-sql">CREATE INDEX IF NOT EXISTS idx_events_room ON events (room_id, origin_server_ts);
-- was:
CREATE INDEX idx_events_room ON events (room_id, origin_server_ts);
</code></pre>` +
	`<blockquote><p>Never run migrations by hand on production.</p></blockquote>` +
	`<p>I have pushed a fix, see <a href="https://github.com/example/project/pull/679">#679</a>. ` +
	`Could you <del>merge</del> review it today? Thanks! <img data-mx-emoticon src="mxc://example.org/abc" alt=":pray:" height="32"></p>` +
	`<table><thead><tr><th>Step</th><th>Status</th></tr></thead><tbody><tr><td>build</td><td>ok</td></tr><tr><td>migrate</td><td>failed</td></tr><tr><td>deploy</td><td>skipped</td></tr></tbody></table>` +
	`<p>` + strings.Repeat("Some more words to reach the typical size of a longer message. ", 5) + `</p>`

const typicalBody = "> <@alice:example.org> Can someone look at the deploy?\n\nHi Alice, I looked at the deploy of v2.3.1 and found the problem."

func BenchmarkSegments(b *testing.B) {
	o := testOpts()
	b.SetBytes(int64(len(typicalMessage)))
	b.ReportAllocs()
	for b.Loop() {
		Segments(typicalBody, typicalMessage, o)
	}
}

func BenchmarkSegmentsPlain(b *testing.B) {
	body := strings.Repeat("A plain line with a link https://example.org/path?q=1 and words.\n", 30)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Segments(body, "", Options{})
	}
}

func TestTypicalMessage(t *testing.T) {
	if n := len(typicalMessage); n < 1800 || n > 2600 {
		t.Errorf("benchmark message is %d bytes, want ~2 KB", n)
	}
	segs := Segments(typicalBody, typicalMessage, testOpts())
	checkInvariants(t, segs, testOpts().withDefaults())
	want := "Hi @Alice A., I looked at the deploy of v2.3.1 and found the problem. The log is at the build page and the issue is tracked in https://github.com/example/project/issues/678.\n" +
		"Summary of what happened:\n" +
		"1. The migration 0042_add_index ran twice.\n" +
		"2. The second run failed because the index already existed.\n" +
		"3. The service then restarted in a loop:\n" +
		"    • first with exit code 1\n" +
		"    • then with a timeout\n" +
		"CREATE INDEX IF NOT EXISTS idx_events_room ON events (room_id, origin_server_ts);\n-- was:\nCREATE INDEX idx_events_room ON events (room_id, origin_server_ts);\n" +
		"> Never run migrations by hand on production.\n" +
		"I have pushed a fix, see #679. Could you ~~merge~~ review it today? Thanks! :pray:\n" +
		"Step | Status\nbuild | ok\nmigrate | failed\ndeploy | skipped\n" +
		strings.TrimSpace(strings.Repeat("Some more words to reach the typical size of a longer message. ", 5))
	if got := SegmentsText(segs); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
