package ui

// The App's side of threads and locations: the thread panel beside the timeline, loading and
// refreshing the open thread with the room, replies and thread read receipts, and the composer's
// location action.

import (
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// buildThreads makes the thread panel and the location action (NewApp).
func (a *App) buildThreads() {
	a.thread = NewThreadPanel(a.me)
	a.thread.Timeline.Names = a.memberName
	a.thread.Timeline.Thumbnail = a.thumbnail
	a.thread.OnSend = a.sendThreadReply
	a.thread.OnClose = func() {
		a.mu.Lock()
		a.threadRoot = ""
		a.mu.Unlock()
		a.relayout()
	}
	a.timeline.OnOpenThread = a.openThread
	a.locBtn = newLocationButton(a.showSendLocation)
	a.locBtn.SetLocked(a.s.CheckLocation() != nil)
	a.composer.AddAction(a.locBtn)
}

// Thread is the thread side panel.
func (a *App) Thread() *ThreadPanel { return a.thread }

// LocationButton is the composer's location action.
func (a *App) LocationButton() *LocationButton { return a.locBtn }

// openThread shows the thread m belongs to (m is its root, or a reply in it) beside the timeline.
func (a *App) openThread(m session.Message) {
	root := m
	if m.ThreadRoot != "" {
		root = session.Message{EventID: m.ThreadRoot}
		for _, t := range a.timeline.Messages() {
			if t.EventID == m.ThreadRoot {
				root = t
			}
		}
	}
	if root.EventID == "" {
		return
	}
	room := a.Current()
	a.mu.Lock()
	a.threadRoot = root.EventID
	seq := a.reqSeq
	a.mu.Unlock()
	a.thread.Open(root)
	a.relayout()
	go func() {
		// Replies the store missed come from the server first; offline the stored ones show.
		if _, err := a.s.LoadThread(a.ctx, room, root.EventID); err != nil {
			Trace("thread_fetch_failed root=%s", root.EventID)
		}
		msgs := a.loadThread(room)
		do(func() {
			a.mu.Lock()
			stale := seq != a.reqSeq
			a.mu.Unlock()
			if !stale {
				a.showThread(room, msgs)
			}
		})
	}()
}

// loadThread loads the open thread of room off the UI goroutine (nil when none is open).
func (a *App) loadThread(room id.RoomID) []session.Message {
	a.mu.Lock()
	root := a.threadRoot
	a.mu.Unlock()
	if root == "" {
		return nil
	}
	msgs, err := a.s.ThreadTimeline(a.ctx, room, root, pageSize)
	if err != nil {
		a.showError(T("timeline.load_failed", err))
		return nil
	}
	return msgs
}

// showThread puts loaded thread messages into the panel when they are the open thread's, and
// sends a thread read receipt for the newest reply of someone else.
func (a *App) showThread(room id.RoomID, msgs []session.Message) {
	root := a.thread.Root()
	if root == "" || len(msgs) == 0 || msgs[0].EventID != root {
		return
	}
	a.thread.Set(msgs)
	Trace("thread_shown root=%s messages=%d", root, len(msgs))
	for i := len(msgs) - 1; i > 0; i-- {
		m := msgs[i]
		if m.EventID == "" {
			continue
		}
		if m.Sender != a.me {
			go func() { _ = a.s.MarkThreadRead(a.ctx, room, root, m.EventID) }()
		}
		return
	}
}

// sendThreadReply hands a reply in the open thread to the engine.
func (a *App) sendThreadReply(root id.EventID, text string) {
	room := a.Current()
	if room == "" {
		return
	}
	go func() {
		if _, err := a.s.Send(a.ctx, room, session.Draft{Text: text, Thread: root}); err != nil {
			a.showError(T("thread.send_failed", err))
		}
	}()
}
