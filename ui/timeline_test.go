package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// richTexts returns the text of every visible RichText under o.
func richTexts(o fyne.CanvasObject) []string {
	var out []string
	walkVisible(o, func(o fyne.CanvasObject) bool {
		r, ok := o.(*widget.RichText)
		if ok {
			out = append(out, r.String())
		}
		return ok
	})
	return out
}

func TestTimelineRendersMessageStates(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.Local)
	tl := NewTimeline("@me:x")
	tl.now = func() time.Time { return now }
	yesterday := now.AddDate(0, 0, -1).UnixMilli()
	msgs := []session.Message{
		{EventID: "$1", Sender: "@a:x", SenderName: "Anna", TS: yesterday, Kind: "text", Body: "Lage ruhig", Encrypted: true, SenderVerified: true},
		{EventID: "$2", Sender: "@b:x", SenderName: "Ben", TS: now.UnixMilli(), Kind: "text", Body: "Pegel **steigt**",
			FormattedBody: "Pegel <strong>steigt</strong><script>alert(1)</script>", Encrypted: true, Edited: true,
			Reply:     &session.Quote{EventID: "$1", SenderName: "Anna", Body: "Lage ruhig"},
			Reactions: []session.Reaction{{Key: "✅", Count: 2, Mine: true}}},
		{EventID: "$3", Sender: "@c:x", SenderName: "Carl", TS: now.UnixMilli(), Kind: "undecryptable", Encrypted: true, DecryptionReason: "withheld"},
		{EventID: "$4", Sender: "@a:x", SenderName: "Anna", TS: now.UnixMilli(), Kind: "state", StateKind: "name", StateArg: "Lage Nord"},
		{EventID: "$5", Sender: "@me:x", SenderName: "Ich", TS: now.UnixMilli(), Kind: "text", Body: "Gelesen?", ReadBy: []id.UserID{"@a:x"}},
		{TxnID: "t1", Sender: "@me:x", SenderName: "Ich", TS: now.UnixMilli(), Kind: "text", Body: "hängt", SendState: "failed", SendError: "Server weg"},
		{EventID: "$7", Sender: "@a:x", SenderName: "Anna", TS: now.UnixMilli(), Kind: "redacted"},
		{EventID: "$8", Sender: "@a:x", SenderName: "Anna", TS: now.UnixMilli(), Kind: "unknown"},
		{EventID: "$9", Sender: "@b:x", SenderName: "Ben", TS: now.UnixMilli(), Kind: session.KindVerification},
	}
	tl.Names = func(u string) string { return map[string]string{"@a:x": "Anna"}[u] }
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(700, 3000))
	tl.Set(msgs, true)

	all := strings.Join(append(labels(w.Content()), richTexts(w.Content())...), "\n")
	for _, want := range []string{
		T("day.yesterday"), T("day.today"), "Anna", "Ben", "🔒✓", "🔒 " + T("timeline.unverified"), T("timeline.edited"),
		"↳ Anna: Lage ruhig", "[✅ 2]", "Pegel steigt", T("timeline.undecryptable", T("reason.withheld")), "🔒✗",
		T("state.name", "Anna", "Lage Nord"), T("timeline.verification_request", "Ben"), T("timeline.read_by", "Anna"), T("timeline.failed", "Server weg"), T("timeline.redacted"),
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	if strings.Contains(all, "alert") || strings.Contains(all, "<strong>") {
		t.Errorf("unsanitised HTML shown:\n%s", all)
	}
	if n := strings.Count(strings.Join(labels(w.Content()), "\n"), T("day.today")); n != 1 {
		t.Errorf("today separator %d times, want 1:\n%s", n, all)
	}

	// The find bar narrows to matches and back.
	if n := tl.SetFilter("pegel"); n != 1 || tl.Messages()[0].EventID != "$2" {
		t.Fatalf("filter: %d %v", n, tl.Messages())
	}
	if n := tl.SetFilter(""); n != len(msgs)-1 { // the unknown event is not shown
		t.Fatalf("unfiltered: %d", n)
	}
}

func TestComposerKeys(t *testing.T) {
	test.NewTempApp(t)
	c := NewComposer()
	w := test.NewTempWindow(t, c.View())
	w.Canvas().Focus(c.Entry)
	var sent []Draft
	c.OnSend = func(d Draft) { sent = append(sent, d) }
	if c.Entry.AcceptsTab() {
		t.Fatal("the composer must let Tab move the focus")
	}
	typeKey(c.Entry, fyne.KeyReturn)
	if len(sent) != 0 {
		t.Fatal("an empty composer sent something")
	}
	c.StartReply("$q", "Anna", "Lage?")
	test.Type(c.Entry, "Ja")
	typeKey(c.Entry, fyne.KeyReturn)
	if len(sent) != 1 || sent[0] != (Draft{Text: "Ja", ReplyTo: "$q"}) || c.Replying() != "" || c.Entry.Text != "" {
		t.Fatalf("reply draft %+v, replying %q, entry %q", sent, c.Replying(), c.Entry.Text)
	}
	c.StartEdit("$e", "alt")
	typeKey(c.Entry, fyne.KeyEscape)
	if c.Editing() != "" || c.Entry.Text != "" {
		t.Fatalf("Esc left edit %q with %q", c.Editing(), c.Entry.Text)
	}
}

// The list assumes the template's height for rows it has not measured; our own scroll arithmetic
// assumes estimatedRowHeight. They must agree, or "at the bottom" and "at the top" go wrong.
func TestRowTemplateHeightMatchesEstimate(t *testing.T) {
	test.NewTempApp(t)
	tl := NewTimeline("@me:x")
	h := tl.newMessageRow().MinSize().Height
	if h < estimatedRowHeight*0.8 || h > estimatedRowHeight*1.25 {
		t.Fatalf("row template is %.0f px high, the estimate %d", h, estimatedRowHeight)
	}
}
