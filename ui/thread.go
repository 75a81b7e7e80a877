package ui

// Threads: the summary under a thread's root in the timeline, and the side panel that shows one
// thread (its root and replies, as a Timeline) with a line to reply in it.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// threadSummaryText is the line under a thread's root: count, who replied last and what.
func threadSummaryText(s *session.ThreadSummary) string {
	body := firstLine(s.LatestBody, 80)
	if body == "" {
		body = T("thread.hidden_reply")
	}
	text := T("thread.summary_many", s.Count, s.LatestName, body)
	if s.Count == 1 {
		text = T("thread.summary_one", s.LatestName, body)
	}
	if s.Unread {
		text = T("thread.summary_unread", text)
	}
	return text
}

// newThreadButton is a timeline row's thread summary: tapping it opens the thread of the row's
// message (row returns it).
func (t *Timeline) newThreadButton(row func() session.Message) *widget.Button {
	b := widget.NewButton("", func() {
		if t.OnOpenThread != nil {
			t.OnOpenThread(row())
		}
	})
	b.Importance = widget.LowImportance
	b.Alignment = widget.ButtonAlignLeading
	b.Hide()
	return b
}

// fillThread shows or hides a row's thread summary.
func fillThread(b *widget.Button, m session.Message) {
	if m.Thread == nil || m.Thread.Count == 0 {
		b.Hide()
		return
	}
	if text := threadSummaryText(m.Thread); b.Text != text {
		b.SetText(text)
	}
	b.Show()
}

// ThreadPanel is the side panel of one thread.
type ThreadPanel struct {
	Timeline *Timeline
	Entry    *widget.Entry
	title    *widget.Label
	view     *fyne.Container
	root     id.EventID

	// OnSend sends text as a reply in the thread of root; OnClose runs when the panel is closed.
	OnSend  func(root id.EventID, text string)
	OnClose func()
}

// NewThreadPanel builds the (hidden) panel for the user me.
func NewThreadPanel(me id.UserID) *ThreadPanel {
	p := &ThreadPanel{Timeline: NewTimeline(me), Entry: widget.NewEntry(), title: widget.NewLabel(T("thread.title"))}
	p.title.TextStyle.Bold = true
	p.title.Truncation = fyne.TextTruncateEllipsis
	p.Entry.SetPlaceHolder(T("thread.placeholder"))
	p.Entry.OnSubmitted = func(string) { p.Submit() }
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), p.Close)
	send := widget.NewButtonWithIcon(T("thread.send"), theme.MailSendIcon(), p.Submit)
	send.Importance = widget.HighImportance
	head := container.NewBorder(nil, nil, nil, closeBtn, p.title)
	p.view = container.NewBorder(container.NewVBox(head, widget.NewSeparator()),
		container.NewBorder(nil, nil, nil, send, p.Entry), nil, nil, p.Timeline.View())
	p.view.Hide()
	return p
}

// View is the panel's canvas object.
func (p *ThreadPanel) View() fyne.CanvasObject { return p.view }

// Root is the root of the open thread, "" when closed.
func (p *ThreadPanel) Root() id.EventID { return p.root }

// Open shows the thread of root (its messages follow with Set).
func (p *ThreadPanel) Open(root session.Message) {
	p.root = root.EventID
	p.setTitle(root)
	p.Entry.SetText("")
	p.Timeline.Set(nil, true)
	p.view.Show()
}

// Set shows the thread's messages (root first).
func (p *ThreadPanel) Set(msgs []session.Message) {
	if len(msgs) > 0 && msgs[0].EventID == p.root {
		p.setTitle(msgs[0])
	}
	p.Timeline.Set(msgs, false)
}

func (p *ThreadPanel) setTitle(root session.Message) {
	text := T("thread.title")
	if root.SenderName != "" {
		text += " · " + root.SenderName + ": " + firstLine(root.Body, 60)
	}
	if p.title.Text != text {
		p.title.SetText(text)
	}
}

// Submit sends the entry's text into the thread.
func (p *ThreadPanel) Submit() {
	text := p.Entry.Text
	if p.root == "" || len(text) == 0 || p.OnSend == nil {
		return
	}
	p.Entry.SetText("")
	p.OnSend(p.root, text)
}

// Close hides the panel.
func (p *ThreadPanel) Close() {
	if p.root == "" {
		return
	}
	p.root = ""
	p.view.Hide()
	if p.OnClose != nil {
		p.OnClose()
	}
}

// threadLayout puts the room (objects[0]) and, while it is visible, the thread panel (objects[1])
// side by side. The panel gets what the room's minimum width leaves, at least 320 and at most
// 480 px (and never more than half): on a narrow window the room's parts truncate instead.
type threadLayout struct{}

const (
	threadPanelMin = 320
	threadPanelMax = 480
)

func (threadLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	room, panel := objs[0], objs[1]
	room.Move(fyne.NewPos(0, 0))
	if !panel.Visible() {
		room.Resize(size)
		return
	}
	gap := theme.Padding()
	w := min(max(size.Width-room.MinSize().Width-gap, threadPanelMin), threadPanelMax, size.Width/2)
	room.Resize(fyne.NewSize(size.Width-w-gap, size.Height))
	panel.Move(fyne.NewPos(size.Width-w, 0))
	panel.Resize(fyne.NewSize(w, size.Height))
}

func (threadLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	room, panel := objs[0].MinSize(), objs[1]
	if !panel.Visible() {
		return room
	}
	p := panel.MinSize()
	return fyne.NewSize(2*threadPanelMin, max(room.Height, p.Height))
}
