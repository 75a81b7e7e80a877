package ui

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"
)

// Draft is what the composer hands over when the user sends.
type Draft struct {
	Text    string     // markdown source
	ReplyTo id.EventID // set when answering a message
	Edits   id.EventID // set when editing one of our messages
}

// Candidate is a member offered by mention completion.
type Candidate struct {
	UserID id.UserID
	Name   string
}

// Composer is the multi-line message entry under the timeline: Enter sends, Shift+Enter starts a new
// line, Up in an empty composer edits the last own message, Esc cancels a reply or an edit, "@"
// completes member names. Its methods run on the UI goroutine.
type Composer struct {
	Entry  *ComposerEntry
	banner *widget.Label
	cancel *widget.Button
	bar    *fyne.Container
	send   *widget.Button
	view   *fyne.Container
	// pollBtn opens the poll dialog ("Umfrage erstellen").
	pollBtn *widget.Button

	replyTo, edits id.EventID

	// OnSend gets each draft; the composer clears itself afterwards.
	OnSend func(Draft)
	// OnEditLast asks for the last own message (Up in an empty composer); the handler calls StartEdit.
	OnEditLast func()
	// OnTyping reports when the user starts (true) or stops (false) typing.
	OnTyping func(bool)
	// OnInput, when set, is told of each change of the draft (user activity for the app lock).
	OnInput func()
	// OnAttach runs when the user wants to send a file.
	OnAttach func()
	// OnPoll runs when the user wants to create a poll ("Umfrage erstellen", poll_dialog.go).
	OnPoll func()
	// Members returns mention candidates whose name or ID contains the prefix.
	Members func(prefix string) []Candidate

	typing bool
	menu   *widget.PopUpMenu
	lead   *fyne.Container // attach and further actions left of the entry
	top    *fyne.Container // the reply/edit bar and further bars above the entry
}

// NewComposer builds an empty composer.
func NewComposer() *Composer {
	c := &Composer{banner: widget.NewLabel("")}
	c.banner.Truncation = fyne.TextTruncateEllipsis
	c.Entry = newComposerEntry(c)
	c.cancel = widget.NewButtonWithIcon("", theme.CancelIcon(), c.CancelReplyEdit)
	c.bar = container.NewBorder(nil, nil, nil, c.cancel, c.banner)
	c.bar.Hide()
	c.send = widget.NewButtonWithIcon(T("composer.send"), theme.MailSendIcon(), c.Submit)
	c.send.Importance = widget.HighImportance
	attach := widget.NewButtonWithIcon("", theme.FileIcon(), func() {
		if c.OnAttach != nil {
			c.OnAttach()
		}
	})
	c.pollBtn = widget.NewButtonWithIcon("", theme.ListIcon(), func() {
		if c.OnPoll != nil {
			c.OnPoll()
		}
	})
	c.lead = container.NewHBox(attach, c.pollBtn)
	c.top = container.NewVBox(c.bar)
	c.view = container.NewBorder(c.top, nil, c.lead, c.send, c.Entry)
	return c
}

// AddAction puts another button beside the attach button (the location action).
func (c *Composer) AddAction(o fyne.CanvasObject) { c.lead.Add(o) }

// AddBar puts another bar above the entry (the voice recording bar).
func (c *Composer) AddBar(o fyne.CanvasObject) { c.top.Add(o) }

// View is the composer's canvas object.
func (c *Composer) View() fyne.CanvasObject { return c.view }

// Submit sends the entry's text, if there is any.
func (c *Composer) Submit() {
	text := strings.TrimSpace(c.Entry.Text)
	if text == "" {
		return
	}
	d := Draft{Text: text, ReplyTo: c.replyTo, Edits: c.edits}
	c.Entry.SetText("")
	c.CancelReplyEdit()
	c.setTyping(false)
	if c.OnSend != nil {
		c.OnSend(d)
	}
}

// StartReply shows "reply to" above the entry; the next draft answers eventID.
func (c *Composer) StartReply(eventID id.EventID, sender, quote string) {
	c.replyTo, c.edits = eventID, ""
	c.banner.SetText(T("composer.reply_to", sender, firstLine(quote, 80)))
	c.bar.Show()
	c.view.Refresh()
	c.focus()
}

// StartEdit loads one of our messages into the entry; the next draft replaces it.
func (c *Composer) StartEdit(eventID id.EventID, text string) {
	c.edits, c.replyTo = eventID, ""
	c.banner.SetText(T("composer.editing"))
	c.bar.Show()
	c.view.Refresh()
	c.Entry.SetText(text)
	c.Entry.CursorRow = strings.Count(text, "\n")
	c.Entry.CursorColumn = utf8.RuneCountInString(text[strings.LastIndex(text, "\n")+1:])
	c.Entry.Refresh()
	c.focus()
}

// CancelReplyEdit drops a pending reply or edit (Esc); an edit also empties the entry.
func (c *Composer) CancelReplyEdit() {
	if c.edits != "" {
		c.Entry.SetText("")
	}
	c.replyTo, c.edits = "", ""
	if c.bar.Visible() {
		c.bar.Hide()
		c.view.Refresh()
	}
}

// Replying and Editing tell what the next draft does.
func (c *Composer) Replying() id.EventID { return c.replyTo }

// Editing is the event the next draft replaces, if any.
func (c *Composer) Editing() id.EventID { return c.edits }

func (c *Composer) focus() {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.Entry); cv != nil {
		cv.Focus(c.Entry)
	}
}

func (c *Composer) setTyping(on bool) {
	if on == c.typing {
		return
	}
	c.typing = on
	if c.OnTyping != nil {
		c.OnTyping(on)
	}
}

// changed runs after every edit of the text: typing notifications and mention completion.
func (c *Composer) changed(text string) {
	if c.OnInput != nil {
		c.OnInput()
	}
	c.setTyping(text != "")
	c.complete()
}

// mentionPrefix is the "@..." word ending at the cursor, if any.
func (c *Composer) mentionPrefix() (prefix string, start int, ok bool) {
	lines := strings.Split(c.Entry.Text, "\n")
	if c.Entry.CursorRow >= len(lines) {
		return "", 0, false
	}
	line := []rune(lines[c.Entry.CursorRow])
	col := min(c.Entry.CursorColumn, len(line))
	i := col
	for i > 0 && !isSpace(line[i-1]) {
		i--
	}
	word := string(line[i:col])
	if !strings.HasPrefix(word, "@") {
		return "", 0, false
	}
	return word[1:], i, true
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' }

func (c *Composer) complete() {
	if c.menu != nil {
		c.menu.Hide()
		c.menu = nil
	}
	prefix, _, ok := c.mentionPrefix()
	if !ok || c.Members == nil {
		return
	}
	cands := c.Members(prefix)
	if len(cands) == 0 {
		return
	}
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.Entry)
	if cv == nil {
		return
	}
	var items []*fyne.MenuItem
	for i, cand := range cands {
		if i == 8 {
			break
		}
		cand := cand
		text := cand.Name
		if !strings.HasSuffix(text, "("+string(cand.UserID)+")") { // not yet disambiguated by the engine
			text += " (" + string(cand.UserID) + ")"
		}
		items = append(items, fyne.NewMenuItem(text, func() { c.InsertMention(cand.UserID) }))
	}
	c.menu = widget.NewPopUpMenu(fyne.NewMenu("", items...), cv)
	c.menu.ShowAtRelativePosition(fyne.NewPos(0, -c.menu.MinSize().Height), c.Entry)
	cv.Focus(c.Entry) // keep typing in the entry; the menu is clicked or ignored
}

// InsertMention replaces the "@prefix" at the cursor with the user's Matrix ID (sent as a pill).
func (c *Composer) InsertMention(user id.UserID) {
	_, start, ok := c.mentionPrefix()
	if c.menu != nil {
		c.menu.Hide()
		c.menu = nil
	}
	if !ok {
		return
	}
	lines := strings.Split(c.Entry.Text, "\n")
	line := []rune(lines[c.Entry.CursorRow])
	col := min(c.Entry.CursorColumn, len(line))
	ins := []rune(string(user) + " ")
	line = append(append(append([]rune{}, line[:start]...), ins...), line[col:]...)
	lines[c.Entry.CursorRow] = string(line)
	row := c.Entry.CursorRow
	c.Entry.SetText(strings.Join(lines, "\n"))
	c.Entry.CursorRow, c.Entry.CursorColumn = row, start+len(ins)
	c.Entry.Refresh()
	c.focus()
}

// ComposerEntry is the composer's text field: a multi-line entry with messenger keys.
type ComposerEntry struct {
	widget.Entry
	c     *Composer
	shift bool
	// Shortcuts receives window shortcuts (Ctrl+K...) typed while the entry has the focus.
	Shortcuts func(fyne.Shortcut) bool
}

func newComposerEntry(c *Composer) *ComposerEntry {
	e := &ComposerEntry{c: c}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(2)
	e.SetPlaceHolder(T("composer.placeholder"))
	e.ExtendBaseWidget(e)
	e.OnChanged = c.changed
	return e
}

// KeyDown tracks Shift so that Shift+Enter inserts a line break.
func (e *ComposerEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp tracks Shift.
func (e *ComposerEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// FocusLost forgets a held Shift (its KeyUp goes elsewhere).
func (e *ComposerEntry) FocusLost() {
	e.shift = false
	e.Entry.FocusLost()
}

// TypedKey sends on Enter, breaks the line on Shift+Enter, edits the last message on Up when empty
// and cancels a reply or edit on Esc.
func (e *ComposerEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !e.shift {
			e.c.Submit()
			return
		}
	case fyne.KeyUp:
		if e.Text == "" && e.c.OnEditLast != nil {
			e.c.OnEditLast()
			return
		}
	case fyne.KeyEscape:
		if e.c.menu != nil {
			e.c.menu.Hide()
			e.c.menu = nil
			return
		}
		if e.c.replyTo != "" || e.c.edits != "" {
			e.c.CancelReplyEdit()
			return
		}
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut passes window shortcuts on and leaves the rest (copy, paste...) to the entry.
func (e *ComposerEntry) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*desktop.CustomShortcut); ok && e.Shortcuts != nil && e.Shortcuts(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

func firstLine(s string, max int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// AcceptsTab is false: Tab moves the focus on (keyboard-only use), it does not insert a tab.
func (e *ComposerEntry) AcceptsTab() bool { return false }
