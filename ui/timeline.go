package ui

import (
	"fmt"
	"image"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/ui/richtext"
)

// Timeline is a room's message list: a virtualised widget.List whose rows size themselves to their
// wrapped text. Rows show the day (when it changes), sender, time, encryption shield, reply quote,
// formatted body, reactions, and send or read state. Its methods run on the UI goroutine.
type Timeline struct {
	me      id.UserID
	all     []session.Message // everything loaded
	front   frontRows         // room in front of all for older pages (timeline_rows.go)
	query   string            // the find bar's text
	msgs    []session.Message // what the list shows: all, or the matches of query
	heights []float32
	list    *rowList
	older   *fyne.Container // "loading older messages" bar
	typing  *widget.Label
	view    *fyne.Container
	now     func() time.Time

	rows         map[*fyne.Container]*messageRow // the rows the list binds (not the templates it measures)
	listBox      *fyne.Container                 // holds the list and the scroll relay
	relay        *scrollRelay
	nStored      int       // all[:nStored] are stored rows in row order, the rest local echoes
	bounds       rowBounds // what the engine goroutines may read (timeline_rows.go)
	rebound      int       // rows replaced in place since the timeline was made (tests)
	bound        int       // rows bound by the list since the timeline was made (tests)
	gen          int       // bumps with every Set (RowBounds.Gen)
	loadingOlder bool
	settling     bool
	noOlder      bool

	// OnNeedOlder asks for older messages when the first row is shown; call OlderLoaded after.
	OnNeedOlder func()
	// OnSelected runs when the user picks a message.
	OnSelected func(session.Message)
	// OnScrolled runs when the user scrolls the list with the mouse wheel or touchpad.
	OnScrolled func()
	// OnShown is called with each event ID a row shows (for the UI trace).
	OnShown func(id.EventID)
	// Names resolves user IDs in mention pills.
	Names func(string) string
	// Thumbnail returns an image message's preview if it is loaded (and starts loading it if not).
	Thumbnail func(id.EventID) image.Image
	// OnOpenThread runs when the thread summary under a message is tapped (thread.go).
	OnOpenThread func(session.Message)
	// OnVote votes on a poll (answer IDs); OnEndPoll asks to end one (poll_view.go).
	OnVote    func(m session.Message, answers []string)
	OnEndPoll func(m session.Message)
	// OnPlayVoice plays or pauses a voice message; VoicePlaying tells whether one plays now
	// (voice_view.go).
	OnPlayVoice  func(m session.Message)
	VoicePlaying func(id.EventID) bool
}

// NewTimeline builds an empty timeline for the user me.
func NewTimeline(me id.UserID) *Timeline {
	t := &Timeline{me: me, now: time.Now}
	t.typing = widget.NewLabel("")
	t.typing.Importance = widget.LowImportance
	t.typing.TextStyle.Italic = true
	t.typing.Hide()
	bar := widget.NewProgressBarInfinite()
	t.older = container.NewBorder(nil, nil, widget.NewLabel(T("timeline.loading_older")), nil, bar)
	t.older.Hide()
	t.rows = map[*fyne.Container]*messageRow{}
	t.list = t.newList()
	t.relay = newScrollRelay(t.list, func() { // activity.go
		if t.OnScrolled != nil {
			t.OnScrolled()
		}
	})
	t.listBox = container.New(&widthWatch{t: t}, t.list, t.relay)
	t.view = container.NewBorder(t.older, t.typing, nil, nil, t.listBox)
	return t
}

// newList makes the virtualised list over t.msgs (timeline_list.go).
func (t *Timeline) newList() *rowList {
	l := newRowList(func() int { return len(t.msgs) }, t.newMessageRow, t.bind, t.rowHeight)
	l.OnSelected = func(i int) {
		if i < len(t.msgs) && t.OnSelected != nil {
			t.OnSelected(t.msgs[i])
		}
	}
	return l
}

// View is the timeline's canvas object.
func (t *Timeline) View() fyne.CanvasObject { return t.view }

// Messages is what the timeline shows.
func (t *Timeline) Messages() []session.Message { return t.msgs }

// Set replaces the messages. It keeps the view at the bottom when it was there (or when scrollToEnd),
// and keeps the same message at the top when older messages were prepended.
func (t *Timeline) Set(msgs []session.Message, scrollToEnd bool) {
	msgs = shown(msgs)
	atBottom := scrollToEnd || t.atBottom()
	offset := t.list.GetScrollOffset()
	kept := -1 // where the old first row is now
	if len(t.msgs) > 0 && t.msgs[0].EventID != "" {
		for i, m := range msgs {
			if m.EventID == t.msgs[0].EventID {
				kept = i
				break
			}
		}
	}
	old := t.heights
	t.all = msgs
	t.nStored = storedPrefix(msgs)
	t.gen++
	defer t.updateBounds()
	if t.query != "" {
		msgs = t.matches()
		kept = -1
	}
	t.msgs = msgs
	t.heights = make([]float32, len(msgs))
	// Keep the measured heights of rows that stayed or only moved.
	if kept >= 0 {
		for i := range old {
			if i+kept < len(t.heights) && old[i] != 0 {
				t.heights[i+kept] = old[i]
			}
		}
	}
	t.settling = true // rows bound before the scroll below must not count as "scrolled to the top"
	t.list.Reset()
	switch {
	case atBottom:
		t.list.ScrollToBottom()
	case kept > 0:
		t.list.ScrollTo(kept)
	case kept == 0:
		t.list.ScrollToOffset(offset)
	default:
		t.list.ScrollToTop()
	}
	t.settling = false
	// A short room does not fill the view, so the user cannot scroll up: ask for more at once.
	if len(t.msgs) > 0 && t.contentHeight() < t.list.Size().Height {
		t.needOlder()
	}
}

// estimatedRowHeight stands in for rows not measured yet (not bound since the last Set). The list
// itself uses the row template's height for them; the template hides its optional parts so that
// both estimates agree with a one-line message.
const estimatedRowHeight = 56

// rowHeight is row i's measured height, or the estimate.
func (t *Timeline) rowHeight(i int) float32 {
	if i < len(t.heights) && t.heights[i] != 0 {
		return t.heights[i]
	}
	return estimatedRowHeight
}

func (t *Timeline) contentHeight() float32 {
	var total float32
	for _, h := range t.heights {
		if h == 0 {
			h = estimatedRowHeight
		}
		total += h
	}
	return total
}

// needOlder asks for older messages unless a request is running, the start was reached, or the
// find bar narrows the list.
func (t *Timeline) needOlder() {
	if t.query != "" || t.loadingOlder || t.noOlder || t.OnNeedOlder == nil {
		return
	}
	t.loadingOlder = true
	t.older.Show()
	t.view.Refresh() // the border layout only re-measures its parts on a refresh
	t.OnNeedOlder()
}

// shown drops what the timeline does not show: state changes other than membership, name, topic,
// encryption and creation (power levels, join rules and the like are noise in a chat).
func shown(msgs []session.Message) []session.Message {
	out := msgs[:0:0]
	for _, m := range msgs {
		if m.Kind == session.KindState && m.StateKind == session.StateOther || m.Kind == session.KindUnknown {
			continue // (unknown: verification steps, call signalling and other non-message events)
		}
		out = append(out, m)
	}
	return out
}

// SetFilter shows only the loaded messages whose text contains q (case-insensitive); "" shows all.
// It returns the number of matches.
func (t *Timeline) SetFilter(q string) int {
	t.query = strings.ToLower(strings.TrimSpace(q))
	if t.query == "" {
		t.Set(t.all, true)
		return len(t.all)
	}
	t.Set(t.all, false)
	return len(t.msgs)
}

func (t *Timeline) matches() []session.Message {
	var out []session.Message
	for _, m := range t.all {
		if m.Kind == "state" || m.Kind == "redacted" {
			continue
		}
		text := richtext.PlainText(m.Body, m.FormattedBody)
		if strings.Contains(strings.ToLower(text), t.query) || strings.Contains(strings.ToLower(m.SenderName), t.query) {
			out = append(out, m)
		}
	}
	return out
}

// atBottom tells whether the last rows are in view (within half a screen).
func (t *Timeline) atBottom() bool {
	return t.list.GetScrollOffset()+t.list.Size().Height*1.5 >= t.contentHeight()
}

// SetTyping shows who is typing ("" hides the line).
func (t *Timeline) SetTyping(names []string) {
	switch len(names) {
	case 0:
		if t.typing.Visible() {
			t.typing.Hide()
			t.view.Refresh()
		}
		return
	case 1:
		t.typing.SetText(T("timeline.typing_one", names[0]))
	default:
		t.typing.SetText(T("timeline.typing_many", strings.Join(names, ", ")))
	}
	if !t.typing.Visible() {
		t.typing.Show()
		t.view.Refresh()
	}
}

// OlderLoaded ends a scrollback; exhausted says the room's start was reached.
func (t *Timeline) OlderLoaded(exhausted bool) {
	t.loadingOlder = false
	t.noOlder = exhausted
	t.older.Hide()
	t.view.Refresh()
}

// ClearSelection unselects the message.
func (t *Timeline) ClearSelection() { t.list.UnselectAll() }

// ScrollToBottom shows the newest message.
func (t *Timeline) ScrollToBottom() { t.list.ScrollToBottom() }

// widthWatch lays the list out over the whole area and re-measures the rows when the width changes
// (wrapped text gets taller or shorter).
type widthWatch struct {
	t     *Timeline
	width float32
}

func (l *widthWatch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	if size.Width != l.width {
		l.width = size.Width
		for i := range l.t.heights {
			l.t.heights[i] = 0
		}
		l.t.list.Refresh()
	}
}

func (l *widthWatch) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(100, 100)
}

// messageRow is the reusable template of one timeline row.
type messageRow struct {
	head      *fyne.Container // avatar, sender, time, shield, edited: hidden for state changes
	avatar    *avatar
	day       *widget.Label
	sender    *widget.Label
	org       *widget.Label // organisation badge of the sender's server (BOS mode), hidden without one
	when      *widget.Label
	shield    *widget.Label
	edited    *widget.Label
	quote     *widget.Label
	body      *widget.RichText
	image     *canvas.Image
	reactions *widget.Label
	thread    *widget.Button // the thread summary (thread.go), hidden without replies
	status    *widget.Label
	poll      *pollCard
	voice     *voiceCard
	box       *fyne.Container
	msg       session.Message // what the row shows now
}

func (t *Timeline) newMessageRow() fyne.CanvasObject {
	r := &messageRow{day: widget.NewLabel(""), sender: widget.NewLabel(""), when: widget.NewLabel(""),
		shield: widget.NewLabel(""), edited: widget.NewLabel(T("timeline.edited")), quote: widget.NewLabel(""),
		body: widget.NewRichText(), reactions: widget.NewLabel(""), status: widget.NewLabel("")}
	r.day.Alignment = fyne.TextAlignCenter
	r.day.TextStyle.Bold = true
	r.day.Importance = widget.LowImportance
	r.sender.TextStyle.Bold = true
	r.when.Importance = widget.LowImportance
	r.edited.Importance = widget.LowImportance
	r.edited.TextStyle.Italic = true
	r.quote.TextStyle.Italic = true
	r.quote.Importance = widget.LowImportance
	r.quote.Truncation = fyne.TextTruncateEllipsis
	r.body.Wrapping = fyne.TextWrapWord
	r.status.Importance = widget.LowImportance
	r.status.Truncation = fyne.TextTruncateEllipsis
	// Optional parts start hidden: the template's height is what the list assumes for unmeasured rows.
	r.day.Hide()
	r.quote.Hide()
	r.reactions.Hide()
	r.status.Hide()
	r.reactions.Truncation = fyne.TextTruncateEllipsis
	r.image = canvas.NewImageFromImage(nil)
	r.image.FillMode = canvas.ImageFillContain
	r.image.ScaleMode = canvas.ImageScaleFastest
	r.image.Hide()
	r.avatar = newAvatar(26)
	r.org = widget.NewLabel("")
	r.org.Hide()
	r.thread = t.newThreadButton(func() session.Message { return r.msg })
	head := container.NewHBox(container.NewCenter(r.avatar.view), r.sender, r.org, r.when, r.shield, r.edited)
	r.head = head
	// Labels carry their own inner padding; the rows pack them closer so more messages fit.
	r.poll = newPollCard(t)
	r.voice = newVoiceCard(t)
	r.box = container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), r.day, head, r.quote, r.body, r.poll.view, r.voice.view, container.NewHBox(r.image), r.reactions, r.thread, r.status)
	return newRowView(r)
}

func (t *Timeline) bind(i int, o fyne.CanvasObject) {
	if i >= len(t.msgs) {
		return
	}
	t.bound++
	r := o.(*rowView).r
	t.rows[r.box] = r // the rows the list made (it keeps only those in view and a small pool)
	m := t.msgs[i]
	var prev *session.Message
	if i > 0 {
		prev = &t.msgs[i-1]
	}
	t.fill(r, m, prev)
	width := t.list.Size().Width - 4*theme.Padding()
	if width < 200 {
		width = 600 // not laid out yet: measure for a typical width, corrected when the width is known
	}
	r.body.Resize(fyne.NewSize(width, r.body.MinSize().Height))
	r.poll.fit(width)
	if h := r.box.MinSize().Height; i < len(t.heights) && h != t.heights[i] {
		grew := t.heights[i] != 0 && h > t.heights[i]
		t.heights[i] = h
		t.list.SetItemHeight(i, h)
		// The newest row is in view and got taller (an image preview arrived): keep it visible.
		if grew && i == len(t.msgs)-1 && !t.settling {
			t.list.ScrollToBottom()
		}
	}
	// The first row in view at the top of the list means the user scrolled up: load older ones.
	// (Rows are also bound by layouts that run before a scroll took effect; the offset tells.)
	// The first row in view: the user scrolled to the top, so load older messages. Rows bound by
	// Set's own refresh (before its scroll to the newest message) do not count.
	if i == 0 && !t.settling {
		t.needOlder()
	}
	if t.OnShown != nil && m.EventID != "" {
		t.OnShown(m.EventID)
	}
}

func (t *Timeline) fill(r *messageRow, m session.Message, prev *session.Message) {
	r.msg = m
	fillThread(r.thread, m)
	ts := time.UnixMilli(m.TS)
	if prev == nil || !sameDay(time.UnixMilli(prev.TS), ts) {
		setLabel(r.day, dayLabel(ts, t.now()), r.day.Importance)
		r.day.Show()
	} else {
		r.day.Hide()
	}
	// State changes are one compact line ("Anna ist beigetreten · 14:02"), without the header.
	r.head.Hidden = m.Kind == session.KindState || m.Kind == session.KindVerification
	setLabel(r.sender, m.SenderName, r.sender.Importance)
	if hadOrg := r.org.Visible(); setOrgBadge(r.org, m.SenderOrganisation, m.SenderVetted, m.SenderUnvetted) || hadOrg != r.org.Visible() {
		r.head.Refresh() // the badge came, went or changed width: lay the header line out again
	}
	r.avatar.set(string(m.Sender), m.SenderName)
	setLabel(r.when, ts.Format("15:04"), r.when.Importance)
	setLabel(r.shield, shieldText(m), shieldImportance(m))
	r.edited.Hidden = !m.Edited
	if m.Reply != nil {
		q := m.Reply.Body
		if q == "" {
			q = T("timeline.quote_unknown")
		}
		setLabel(r.quote, "↳ "+m.Reply.SenderName+": "+firstLine(q, 120), r.quote.Importance)
		r.quote.Show()
	} else {
		r.quote.Hide()
	}
	r.body.Segments = t.segments(m)
	r.body.Refresh()
	r.poll.set(m)
	r.voice.set(m)
	r.body.Hidden = m.Kind == session.KindPoll || m.Voice != nil
	r.image.Hide()
	if m.Kind == "image" && m.EventID != "" && t.Thumbnail != nil {
		if img := t.Thumbnail(m.EventID); img != nil {
			b := img.Bounds()
			r.image.Image, r.image.ScaleMode = img, canvas.ImageScaleFastest
			r.image.SetMinSize(fyne.NewSize(float32(b.Dx()), float32(b.Dy())))
			r.image.Show()
			r.image.Refresh()
		} else if ph, size := blurPlaceholder(m.File); ph != nil { // mediarow.go: while it loads
			r.image.Image, r.image.ScaleMode = ph, canvas.ImageScaleSmooth
			r.image.SetMinSize(size)
			r.image.Show()
			r.image.Refresh()
		}
	}
	if len(m.Reactions) > 0 {
		var parts []string
		for _, re := range m.Reactions {
			p := fmt.Sprintf("%s %d", re.Key, re.Count)
			if re.Mine {
				p = "[" + p + "]"
			}
			parts = append(parts, p)
		}
		setLabel(r.reactions, strings.Join(parts, "   "), r.reactions.Importance)
		r.reactions.Show()
	} else {
		r.reactions.Hide()
	}
	st := statusText(m, t.me, t.Names)
	imp := widget.LowImportance
	if m.SendState == "failed" {
		imp = widget.DangerImportance
	}
	setLabel(r.status, st, imp)
	r.status.Hidden = st == ""
}

func (t *Timeline) segments(m session.Message) []widget.RichTextSegment {
	italic := func(s string) []widget.RichTextSegment {
		st := widget.RichTextStyleInline
		st.TextStyle.Italic = true
		st.ColorName = theme.ColorNamePlaceHolder
		return []widget.RichTextSegment{&widget.TextSegment{Text: s, Style: st}}
	}
	switch m.Kind {
	case "redacted":
		return italic(T("timeline.redacted"))
	case "undecryptable":
		return italic(T("timeline.undecryptable", T(tkeyReason(m.DecryptionReason))))
	case "state":
		return italic(stateText(m) + " · " + time.UnixMilli(m.TS).Format("15:04"))
	case session.KindVerification:
		return italic(T("timeline.verification_request", m.SenderName) + " · " + time.UnixMilli(m.TS).Format("15:04"))
	case session.KindPoll:
		return nil // the poll card shows it
	case session.KindPollEnd:
		return italic(m.Body)
	case "image", "file", "video", "audio":
		name := m.Body
		if m.File != nil && m.File.Name != "" {
			name = m.File.Name
		}
		return italic(T(fileKey(m.Kind), name) + fileDetails(m.File)) // mediarow.go
	case session.KindLocation:
		return locationSegments(m)
	case session.KindCall:
		return callSegments(m) // callrow.go
	case "emote":
		segs := richtext.Segments(m.Body, m.FormattedBody, t.richOpts())
		return append([]widget.RichTextSegment{&widget.TextSegment{Text: "* " + m.SenderName + " ", Style: widget.RichTextStyleInline}}, segs...)
	}
	return richtext.Segments(m.Body, m.FormattedBody, t.richOpts())
}

func (t *Timeline) richOpts() richtext.Options {
	return richtext.Options{OwnUserID: string(t.me), ResolveName: t.Names, ImageLabel: T("timeline.image_alt")}
}
