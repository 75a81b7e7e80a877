package ui

// The alert center: incoming alerts from the engine's change events. An alarm takes over the
// window (AlertView), plays the alarm tone until it is answered or dismissed, raises the window
// and sends a critical desktop notification; several alarms queue behind each other. An info
// alert is quieter: a banner and an ordinary notification. Alarms still open come back after a
// restart (Session.OpenAlerts).

import (
	"context"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// alertCenter is the App's alerting part. Fields are UI goroutine only unless said otherwise.
type alertCenter struct {
	a      *App
	out    AlertOutputs
	view   *AlertView
	banner *AlertBanner
	queue  []alert.Info             // alarms waiting for an answer; queue[0] shows
	rooms  map[id.EventID][2]string // room name and sender of each queued alarm
	seen   map[id.EventID]bool
	muted  bool
	now    func() time.Time
	ticker bool // the countdown goroutine runs
}

func newAlertCenter(a *App) *alertCenter {
	c := &alertCenter{a: a, view: NewAlertView(), banner: newAlertBanner(), seen: map[id.EventID]bool{},
		rooms: map[id.EventID][2]string{}, now: time.Now}
	c.view.Answer = c.answer
	c.view.OnMute = c.mute
	c.view.OnClose = c.dismiss
	c.banner.OnOpen = func(info alert.Info) { a.OpenRoom(info.RoomID) }
	return c
}

// SetAlertOutputs sets sound, notification and window attention of alerts (before Start).
func (a *App) SetAlertOutputs(o AlertOutputs) { a.alerts.out = o }

// AlertView is the takeover view of alarms.
func (a *App) AlertView() *AlertView { return a.alerts.view }

// AlertQueue lists the alarms waiting for an answer, the shown one first (UI goroutine).
func (a *App) AlertQueue() []alert.Info { return append([]alert.Info(nil), a.alerts.queue...) }

// AlertBanner is the banner of info alerts.
func (a *App) AlertBanner() *AlertBanner { return a.alerts.banner }

// loadOpenAlerts shows the alarms that still wait for an answer (after a restart); off the UI
// goroutine.
func (c *alertCenter) loadOpenAlerts(ctx context.Context) {
	open, err := c.a.s.OpenAlerts(ctx)
	if err != nil {
		c.a.showError(T("alert.load_failed", err))
		return
	}
	for _, info := range open {
		c.arrived(info, false)
	}
}

// alertChanges handles the alert changes of a batch, off the UI goroutine.
func (c *alertCenter) alertChanges(ctx context.Context, batch []session.Change) {
	for _, ch := range batch {
		switch ch.Kind {
		case session.ChangeAlert:
			info, ok, err := c.a.s.AlertInfo(ctx, ch.EventID)
			if err != nil || !ok || info.Sender == c.a.me {
				continue
			}
			c.arrived(info, true)
		case session.ChangeAlertUpdate:
			c.maybeAnsweredElsewhere(ctx, ch.RoomID, ch.EventID)
		}
	}
}

// maybeAnsweredElsewhere closes a queued alarm that we answered on another device.
func (c *alertCenter) maybeAnsweredElsewhere(ctx context.Context, room id.RoomID, ev id.EventID) {
	queued := make(chan bool, 1)
	do(func() { queued <- c.index(ev) >= 0 })
	select {
	case q := <-queued:
		if !q {
			return
		}
	case <-ctx.Done():
		return
	}
	b, err := c.a.s.AlertBoard(ctx, room, ev)
	if err != nil {
		return
	}
	for _, r := range b.Responses {
		if r.UserID == c.a.me {
			do(func() { c.remove(ev) })
			return
		}
	}
}

// arrived shows an alert (from any goroutine): the room name and sender are looked up first.
func (c *alertCenter) arrived(info alert.Info, live bool) {
	room := string(info.RoomID)
	if r, err := c.a.s.Room(c.a.ctx, info.RoomID); err == nil && r.Name != "" {
		room = r.Name
	}
	sender := string(info.Sender)
	if l, _, err := info.Sender.Parse(); err == nil {
		sender = l
	}
	do(func() { c.show(info, room, sender, live) })
}

// show queues an alarm, or shows the banner of an info alert (UI goroutine).
func (c *alertCenter) show(info alert.Info, room, sender string, live bool) {
	if c.seen[info.EventID] {
		return
	}
	c.seen[info.EventID] = true
	now := c.now()
	open := info.DeadlineTS == 0 || now.UnixMilli() < info.DeadlineTS
	if info.Priority != alert.PriorityAlarm || !open {
		Trace("alert_info event=%s", info.EventID)
		c.banner.Set(info, room)
		c.a.relayoutMain()
		if live {
			c.notify(info, room, false)
		}
		return
	}
	c.queue = append(c.queue, info)
	c.rooms[info.EventID] = [2]string{room, sender}
	if len(c.queue) > 1 {
		c.view.SetQueued(len(c.queue) - 1)
		if c.muted { // a new alarm rings again
			c.muted = false
			c.view.SetMuted(false)
			c.out.startSound()
		}
		c.notify(info, room, true)
		return
	}
	c.present()
	c.notify(info, room, true)
}

// present shows queue[0] in the takeover view, with the tone, and raises the window.
func (c *alertCenter) present() {
	info := c.queue[0]
	names := c.rooms[info.EventID]
	c.view.Set(info, names[0], names[1], len(c.queue)-1, c.now())
	c.muted = false
	c.view.SetMuted(false)
	if !c.view.Visible() {
		c.view.root.Show()
		c.a.view.Hide()
		c.a.root.Refresh()
	}
	// The keys K, S, N, M go to the canvas: no hidden widget (the composer) may keep the focus.
	c.a.w.Canvas().Unfocus()
	Trace("alert_shown event=%s", info.EventID)
	c.out.startSound()
	c.a.w.RequestFocus()
	if c.out.Attention != nil {
		c.out.Attention(c.a.w)
	}
	c.startTicker()
}

// next shows the next queued alarm, or gives the window back.
func (c *alertCenter) next() {
	if len(c.queue) > 0 {
		c.present()
		return
	}
	c.out.stopSound()
	c.view.root.Hide()
	if !c.a.isBlock {
		c.a.view.Show()
	}
	c.a.root.Refresh()
	c.a.focusComposer()
}

func (c *alertCenter) index(ev id.EventID) int {
	for i, q := range c.queue {
		if q.EventID == ev {
			return i
		}
	}
	return -1
}

// remove takes an alarm off the queue (answered, dismissed or answered elsewhere).
func (c *alertCenter) remove(ev id.EventID) {
	i := c.index(ev)
	if i < 0 {
		return
	}
	c.queue = append(c.queue[:i], c.queue[i+1:]...)
	delete(c.rooms, ev)
	if i == 0 {
		c.next()
	} else {
		c.view.SetQueued(len(c.queue) - 1)
	}
}

// answer sends our response to the shown alarm through the engine (UI goroutine).
func (c *alertCenter) answer(status alert.Status, eta int) {
	if len(c.queue) == 0 {
		return
	}
	info := c.queue[0]
	Trace("alert_answer event=%s status=%s", info.EventID, status)
	c.remove(info.EventID)
	s, ctx := c.a.s, c.a.ctx
	go func() {
		if _, err := s.SendAlertResponse(ctx, info.RoomID, info.EventID, alert.Response{Status: status, ETAMinutes: eta}); err != nil {
			c.a.showError(T("alert.answer_failed", err))
		}
	}()
}

// dismiss closes the shown alarm without answering; it does not come back after a restart.
func (c *alertCenter) dismiss() {
	if len(c.queue) == 0 {
		return
	}
	info := c.queue[0]
	c.remove(info.EventID)
	s, ctx := c.a.s, c.a.ctx
	go func() { _ = s.DismissAlert(ctx, info.EventID) }()
}

// mute turns the tone off; the view stays until answered.
func (c *alertCenter) mute() {
	c.muted = true
	c.view.SetMuted(true)
	c.out.stopSound()
}

// startTicker updates the countdown every second while the view shows.
func (c *alertCenter) startTicker() {
	if c.ticker {
		return
	}
	c.ticker = true
	ctx := c.a.ctx
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				do(func() { c.out.stopSound() })
				return
			case <-t.C:
				stop := make(chan bool, 1)
				do(func() {
					if !c.view.Visible() {
						c.ticker = false
						stop <- true
						return
					}
					c.view.Tick(c.now())
					stop <- false
				})
				select {
				case s := <-stop:
					if s {
						return
					}
				case <-ctx.Done():
				}
			}
		}
	}()
}

// typedRune gives keys to the alert view while it shows.
func (c *alertCenter) typedRune(r rune) bool {
	if c.a.notes.locked || c.a.isBlock {
		return true // the app lock or BOS mode's blocking view is on: no answers from behind it
	}
	return c.view.Visible() && c.view.TypedRune(r)
}

// notify sends the desktop notification of an alert, as the policy notification_content allows
// (and nothing but "Alarmierung" while the app lock is on).
func (c *alertCenter) notify(info alert.Info, room string, critical bool) {
	title, body := AlertNotification(info, room, critical, c.a.notes.content, c.a.notes.locked)
	c.out.notify(title, body, critical)
}

// AlertNotification is the title and body of an alert's desktop notification: what content
// (the policy notification_content) allows, nothing of the alert while locked (the app lock).
func AlertNotification(info alert.Info, room string, critical bool, content session.NotificationContent, locked bool) (title, body string) {
	title = T("alert.notify_title_alarm")
	if !critical {
		title = T("alert.notify_title_info")
	}
	body = T("alert.notify_none")
	switch {
	case locked || content == session.NotifyNone:
	case content == session.NotifyFull:
		title = title + ": " + session.CleanName(info.Keyword)
		body = session.CleanName(room)
		if info.Address != "" {
			body += " – " + session.CleanName(info.Address)
		}
	default:
		body = T("alert.notify_room", session.CleanName(room))
	}
	return title, body
}

// AlertBanner is the quiet bar of an info alert above the main view.
type AlertBanner struct {
	root   *fyne.Container
	label  *widget.Label
	info   alert.Info
	OnOpen func(alert.Info)
}

func newAlertBanner() *AlertBanner {
	b := &AlertBanner{label: widget.NewLabel("")}
	b.label.Truncation = fyne.TextTruncateEllipsis
	b.label.TextStyle.Bold = true
	open := widget.NewButton(T("alert.banner_open"), func() {
		if b.OnOpen != nil {
			b.OnOpen(b.info)
		}
	})
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { b.root.Hide() })
	bg := canvas.NewRectangle(color.NRGBA{R: 0xff, G: 0xc1, B: 0x07, A: 0x50})
	b.root = container.NewStack(bg, container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), container.NewHBox(open, closeBtn), b.label))
	b.root.Hide()
	return b
}

// Set shows an info alert (or an alarm whose deadline has passed).
func (b *AlertBanner) Set(info alert.Info, room string) {
	b.info = info
	text := T("alert.banner", session.CleanName(info.Keyword), session.CleanName(room))
	if info.Address != "" {
		text += " – " + session.CleanName(info.Address)
	}
	b.label.SetText(text)
	b.root.Show()
}

// Text is the banner's text; Visible whether it shows.
func (b *AlertBanner) Text() string { return b.label.Text }

// Visible reports whether the banner shows.
func (b *AlertBanner) Visible() bool { return b.root.Visible() }

// View is the banner's canvas object.
func (b *AlertBanner) View() fyne.CanvasObject { return b.root }

// relayoutMain lays the main view out again after the banner showed or hid.
func (a *App) relayoutMain() {
	if c, ok := a.view.(*fyne.Container); ok {
		c.Refresh()
	}
}
