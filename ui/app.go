package ui

import (
	"context"
	"image"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// pageSize is how many messages a room opens with, and how many each scrollback adds.
const pageSize = 100

// App is the signed-in main window: room list on the left; header, timeline, message actions and
// composer on the right. Engine work runs on goroutines; widgets change only in fyne.Do, once per
// batch of engine changes.
type App struct {
	ctx    context.Context
	cancel context.CancelFunc
	w      fyne.Window
	s      Engine
	me     id.UserID
	// pollForm is the open "Umfrage erstellen" dialog (poll_dialog.go), kept for tests.
	pollForm *pollForm

	rooms    *RoomList
	search   *widget.Entry
	kind     *widget.Select
	space    *widget.Select
	spaceIDs []id.RoomID
	header   *Header
	timeline *Timeline
	composer *Composer
	actions  *fyne.Container
	actLabel *widget.Label
	actBtns  map[string]*widget.Button
	saveNote *widget.Label // the lock note under the actions while disable_file_save holds (nil otherwise)
	status   *widget.Label
	view     fyne.CanvasObject // the main view (hidden while BOS mode is blocked)
	root     *fyne.Container   // view and the blocking view on top of each other
	blocked  *BlockedView
	lock     *DeviceLockBanner
	isBlock  bool // BOS mode is blocked: only the blocking view is usable

	selected *session.Message
	switcher *Switcher
	find     *findBar
	right    *fyne.Container // header, timeline, actions, composer: re-laid out when a bar shows or hides
	members  []session.MemberInfo

	notes              *notifier
	alerts             *alertCenter       // alert view, queue, banner (alerts.go)
	fms                *FMSPanel          // FMS status of the units in the shown room (fms_panel.go)
	board              *BoardView         // the open board of an alert, if any (alert_board.go)
	fmsDlg             *fmsDialog         // the open "set status" dialog, if any
	onInput            func()             // user activity for the app lock (SetOnInput); under mu
	identityWarned     map[id.UserID]bool // users with an identity warning open
	lastIdentityDialog dialog.Dialog

	thumbs map[id.EventID]image.Image // loaded previews; nil value: loading or not an image

	thread *ThreadPanel    // the open thread beside the timeline (thread_app.go)
	locBtn *LocationButton // the composer's location action (location.go)
	voice  *appVoice       // voice messages: recording and playback (voice_app.go)
	calls  *appCalls       // 1:1 calls: button, ringing dialog, call bar (callapp.go)
	group  *appGroup       // group calls: header state, bar (groupcall.go)

	mu         sync.Mutex // guards cur: read by the engine goroutines
	cur        id.RoomID
	reqSeq     int          // bumps when the shown room changes, so stale loads are dropped
	loadSeq    atomic.Int64 // numbers the timeline reads in the order they start (timeline_load.go)
	shownSeq   int64        // the newest read whose rows the timeline shows (UI goroutine)
	threadRoot id.EventID   // the open thread's root (copy of thread.Root for the engine goroutines)
	shownID    map[id.EventID]bool

	// Hooks to the dialogs (set by NewApp; tests may replace them).
	ShowCreateRoom, ShowStartDM, ShowSettings func()
	ShowNewIncident                           func() // "Neuer Einsatz" (incident_dialog.go)
	ShowMembers, ShowInvite, ShowRoomSettings func(id.RoomID)

	// OnRemoteWiped runs on the UI goroutine when the engine reports that this device was
	// signed out remotely and its data deleted (session.ChangeRemoteWiped).
	OnRemoteWiped func()

	searchView *SearchView // the open (or last) search across all rooms (searchview.go)

	uploads *fyne.Container // placeholder rows of files being sent (uploadrow.go)
}

// NewApp builds the main view for a signed-in session; Start begins following the engine.
func NewApp(ctx context.Context, w fyne.Window, s Engine) *App {
	a := &App{w: w, s: s, me: s.Account().UserID, shownID: map[id.EventID]bool{}, thumbs: map[id.EventID]image.Image{},
		identityWarned: map[id.UserID]bool{}, notes: newNotifier()}
	a.notes.content = s.NotificationContent() // policy notification_content
	a.notes.preview = func(room id.RoomID) (session.NotificationPreview, bool) {
		p, ok, err := s.NotificationPreview(a.ctx, room)
		return p, ok && err == nil
	}
	a.notes.async = func(f func()) { go f() }
	a.ctx, a.cancel = context.WithCancel(ctx)
	a.rooms = NewRoomList(nil)
	a.rooms.OnSelected = a.OpenRoom
	a.rooms.OnScrolled = a.input
	a.rooms.OnFirstShown = func(n int) { Trace("ready rooms=%d", n) }
	avatars := newRoomAvatars( // roomavatar.go
		func(room id.RoomID) (image.Image, error) { return s.RoomAvatar(a.ctx, room, roomAvatarPx) },
		func() { a.rooms.list.Refresh(); a.header.RefreshAvatar() })
	a.rooms.Avatar = avatars.get
	a.search = widget.NewEntry()
	a.search.SetPlaceHolder(T("rooms.search"))
	a.search.OnChanged = func(string) { a.applyFilter() }
	kinds := []string{T("rooms.filter_all"), T("rooms.filter_dm"), T("rooms.filter_rooms")}
	a.kind = widget.NewSelect(kinds, nil)
	a.kind.SetSelectedIndex(0)
	a.kind.OnChanged = func(string) { a.applyFilter() }
	a.space = widget.NewSelect([]string{T("rooms.all_spaces")}, nil)
	a.space.SetSelectedIndex(0)
	a.space.OnChanged = func(string) { a.applyFilter() }
	a.space.Hide()
	newRoom := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { a.call(a.ShowCreateRoom) })
	newDM := widget.NewButtonWithIcon("", theme.AccountIcon(), func() { a.call(a.ShowStartDM) })
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { a.call(a.ShowSettings) })
	newIncident := widget.NewButtonWithIcon(T("incident.button"), theme.WarningIcon(), func() { a.call(a.ShowNewIncident) })
	newIncident.Importance = widget.DangerImportance
	me := widget.NewLabel(string(a.me))
	me.Truncation = fyne.TextTruncateEllipsis
	me.TextStyle.Bold = true
	left := container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(newRoom, newDM, settings), me),
			newIncident, a.search, container.NewGridWithColumns(2, a.kind, a.space)),
		nil, nil, nil, a.rooms.View())

	a.header = NewHeader()
	a.header.Avatar = avatars.get
	a.header.OnMembers = func() { a.callRoom(a.ShowMembers) }
	a.header.OnInvite = func() { a.callRoom(a.ShowInvite) }
	a.header.OnSettings = func() { a.callRoom(a.ShowRoomSettings) }
	a.header.OnLeave = a.confirmLeave
	a.header.OnAccept = a.acceptInvite
	a.header.OnReject = a.rejectInvite
	a.header.OnExport = func() { a.callRoom(a.ShowExport) }
	a.header.SetExportLocked(s.CheckChatExport() != nil) // policy disable_chat_export
	a.timeline = NewTimeline(a.me)
	a.timeline.OnNeedOlder = a.loadOlder
	a.timeline.OnSelected = a.selectMessage
	a.timeline.OnShown = a.traceShown
	a.timeline.OnScrolled = a.input
	a.timeline.Names = a.memberName
	a.timeline.Thumbnail = a.thumbnail
	a.composer = NewComposer()
	a.composer.OnSend = a.send
	a.composer.OnInput = a.input
	a.composer.OnEditLast = a.editLast
	a.composer.OnTyping = a.typing
	a.composer.Members = a.mentionCandidates
	a.composer.OnAttach = a.chooseFile
	a.composer.OnPoll = a.ShowCreatePoll
	a.timeline.OnVote = a.vote
	a.timeline.OnEndPoll = a.confirmEndPoll
	a.composer.Entry.Shortcuts = a.Shortcut
	a.buildActions()
	a.buildThreads()
	a.buildVoice()
	a.buildCalls() // callapp.go
	a.buildGroupCalls()
	a.find = newFindBar(a.timeline, func() { a.find.Hide(); a.relayout(); a.focusComposer() })
	a.status = widget.NewLabel("")
	a.status.Importance = widget.DangerImportance
	a.status.Wrapping = fyne.TextWrapWord
	a.status.Hide()
	a.fms = NewFMSPanel()
	a.fms.OnSet = a.showSetStatus
	a.uploads = container.NewVBox() // placeholder rows of files being sent (uploadrow.go)
	right := container.NewBorder(container.NewVBox(a.header.View(), a.fms.View(), a.find.view, widget.NewSeparator()),
		container.NewVBox(a.calls.bar.View(), a.group.bar.View(), a.uploads, a.actions, a.composer.View()), nil, nil, a.timeline.View())
	a.right = right
	split := container.NewHSplit(left, container.New(threadLayout{}, right, a.thread.View()))
	split.Offset = 0.28
	a.blocked = NewBlockedView()
	a.lock = NewDeviceLockBanner(a.ctx, w, s)
	a.alerts = newAlertCenter(a)
	a.view = container.NewBorder(container.NewVBox(a.lock.View(), a.alerts.banner.View()), a.status, nil, nil, split)
	a.root = container.NewStack(newActivityLayer(a.input), a.view, a.alerts.view.View(), a.blocked.View()) // activity.go: mouse counts for the app lock
	a.setComposerEnabled(false)
	return a
}

// SetForeground tells the app whether its window has the focus (notifications for the shown room
// only while it has not).
func (a *App) SetForeground(on bool) { a.notes.foreground = on }

// Stop ends the app's engine goroutines (when the view is rebuilt or the window closes).
func (a *App) Stop() {
	a.cancel()
	a.alerts.out.stopSound()
	a.stopVoice()
	a.stopCalls()
}

// View is the main view's canvas object (with the blocking view of BOS mode).
func (a *App) View() fyne.CanvasObject { return a.root }

// Blocked is the blocking view shown while BOS mode is blocked.
func (a *App) Blocked() *BlockedView { return a.blocked }

// DeviceLock is the banner shown while this device must be verified first.
func (a *App) DeviceLock() *DeviceLockBanner { return a.lock }

// MainUsable reports whether the main view (rooms, timeline, composer) is shown and usable.
func (a *App) MainUsable() bool { return a.view.Visible() && !a.isBlock }

// RoomList, Timeline, Composer and Header expose the parts (for tests and the app's wiring).
func (a *App) RoomList() *RoomList { return a.rooms }

// Timeline is the shown room's message list.
func (a *App) Timeline() *Timeline { return a.timeline }

// Composer is the message entry.
func (a *App) Composer() *Composer { return a.composer }

// Header is the room header.
func (a *App) Header() *Header { return a.header }

// Current is the shown room.
func (a *App) Current() id.RoomID {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cur
}

func (a *App) call(f func()) {
	if f != nil {
		f()
	}
}

func (a *App) callRoom(f func(id.RoomID)) {
	if cur := a.Current(); f != nil && cur != "" {
		f(cur)
	}
}

// Start loads the room list and follows the engine's changes until the app's context ends. Call it
// once, from any goroutine; it returns at once.
func (a *App) Start() error {
	seq, err := a.s.LastSeq(a.ctx)
	if err != nil {
		return err
	}
	sub := a.s.Subscribe(seq)
	go func() {
		defer sub.Close()
		a.updatePolicy()
		a.refresh(true, true, true, nil)
		a.alerts.loadOpenAlerts(a.ctx)
		for {
			batch, err := sub.Next(a.ctx)
			if err != nil {
				if a.ctx.Err() == nil {
					a.showError(T("rooms_failed", err))
				}
				return
			}
			if remoteWiped(batch) {
				do(func() { a.call(a.OnRemoteWiped) })
				return
			}
			if policyChanges(batch) {
				a.updatePolicy()
			}
			rooms, timeline, typing := a.classify(batch)
			a.refresh(rooms, timeline, typing, batch)
			a.alerts.alertChanges(a.ctx, batch)
			a.boardChanges(batch)
			a.callChanges(batch) // callapp.go
			a.groupCallChanges(batch)
			if users := identityChanges(batch); len(users) > 0 {
				do(func() {
					for _, u := range users {
						a.warnIdentityChanged(u)
					}
				})
			}
		}
	}()
	return nil
}

// remoteWiped reports whether the batch ends the session: this device was signed out remotely.
func remoteWiped(batch []session.Change) bool {
	for _, c := range batch {
		if c.Kind == session.ChangeRemoteWiped {
			return true
		}
	}
	return false
}

// policyChanges reports whether the batch may change BOS mode's blocked state or this device's
// lock (a federation list refused or accepted, the device verified).
func policyChanges(batch []session.Change) bool {
	for _, c := range batch {
		if c.Kind == session.ChangePolicy || c.Kind == session.ChangeDeviceVerified {
			return true
		}
	}
	return false
}

// updatePolicy reads the blocked state and the device lock off the UI goroutine and shows them.
func (a *App) updatePolicy() {
	blocked, locked := a.s.BlockedReason(), a.s.DeviceLocked()
	do(func() { a.applyPolicy(blocked, locked) })
}

// applyPolicy shows the blocking view instead of the main view while BOS mode is blocked (the
// menu and shortcuts are off then), and the device lock banner (UI goroutine).
func (a *App) applyPolicy(blocked error, locked bool) {
	a.blocked.Set(blocked, "")
	if isBlock := blocked != nil; isBlock != a.isBlock {
		a.isBlock = isBlock
		if isBlock {
			Trace("bos_blocked cause=%s", a.blocked.Cause())
			a.view.Hide()
			for _, o := range a.w.Canvas().Overlays().List() { // open dialogs go too
				o.Hide()
			}
			a.w.SetMainMenu(nil)
		} else {
			if !a.alerts.view.Visible() { // an alarm on screen stays
				a.view.Show()
			}
			a.w.SetMainMenu(a.MainMenu())
		}
		a.root.Refresh()
	}
	if a.lock.Set(locked) {
		if c, ok := a.view.(*fyne.Container); ok {
			c.Refresh()
		}
	}
}

// classify tells which parts of the view a batch of changes touches.
func (a *App) classify(batch []session.Change) (rooms, timeline, typing bool) {
	cur := a.Current()
	for _, c := range batch {
		switch c.Kind {
		case session.ChangeTyping:
			typing = typing || c.RoomID == cur
		case session.ChangeSyncComplete, session.ChangeIdentityChanged:
		case session.ChangeSendState:
			timeline = timeline || c.RoomID == cur || c.RoomID == ""
		case session.ChangeTimeline, session.ChangeTimelineReset, session.ChangeBackfill, session.ChangeDecrypted,
			session.ChangeReceipts, session.ChangeMembers:
			rooms = true
			timeline = timeline || c.RoomID == cur || c.RoomID == ""
		default:
			rooms = true
		}
	}
	return rooms, timeline, typing
}

// refresh loads what changed off the UI goroutine and applies it in one fyne.Do; the timeline
// loads only the rows batch touched (nil: the newest page again).
func (a *App) refresh(rooms, timeline, typing bool, batch []session.Change) {
	a.mu.Lock()
	cur, seq := a.cur, a.reqSeq
	a.mu.Unlock()
	var (
		list    []session.RoomSummary
		rows    *rowUpdate
		summary *session.RoomSummary
		err     error
	)
	if rooms {
		if list, err = a.s.Rooms(a.ctx); err != nil {
			a.showError(T("rooms_failed", err))
			return
		}
		for i := range list {
			if list[i].ID == cur {
				summary = &list[i]
			}
		}
	}
	if timeline && cur != "" {
		if rows, err = a.loadRows(cur, batch); err != nil {
			a.showError(T("timeline.load_failed", err))
			timeline = false
		}
	}
	var threadMsgs []session.Message
	if timeline && cur != "" {
		threadMsgs = a.loadThread(cur)
	}
	var typers []string
	if typing && cur != "" {
		typers = a.typingUsers(cur)
	}
	do(func() {
		a.mu.Lock()
		stale := seq != a.reqSeq
		a.mu.Unlock()
		if rooms {
			a.rooms.Set(list)
			a.notes.update(list, a.Current())
			a.updateSpaces(list)
			if summary != nil && !stale {
				a.header.Set(summary)
				// A room opened before the list was loaded (--room at start) gets its composer now.
				wasOff := a.composer.Entry.Disabled()
				a.setComposerEnabled(summary.Membership == "join")
				if wasOff && summary.Membership == "join" {
					a.focusComposer()
				}
			}
		}
		if stale {
			return
		}
		if timeline && cur != "" {
			a.applyRows(cur, rows)
			a.showThread(cur, threadMsgs)
		}
		if typing {
			var names []string
			for _, u := range typers {
				names = append(names, a.memberName(u)) // members live on the UI goroutine
			}
			a.timeline.SetTyping(names)
		}
	})
}

// typingUsers lists who types in a room, us excepted; it runs off the UI goroutine.
func (a *App) typingUsers(room id.RoomID) []string {
	users, err := a.s.Typing(a.ctx, room)
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range users {
		if id.UserID(u) != a.me {
			out = append(out, u)
		}
	}
	return out
}

// OpenRoom shows a room: header at once, then its timeline and members when loaded.
func (a *App) OpenRoom(room id.RoomID) {
	a.input()
	a.mu.Lock()
	if a.cur == room {
		a.mu.Unlock()
		return
	}
	a.cur = room
	a.reqSeq++
	seq := a.reqSeq
	a.mu.Unlock()
	a.rooms.Select(room)
	a.selected = nil
	a.actions.Hide()
	a.composer.CancelReplyEdit()
	a.voice.rec.Cancel() // a recording belongs to the room it was started in
	defer a.relayout()
	a.members = nil
	for _, r := range a.rooms.All() {
		if r.ID == room {
			a.header.Set(&r)
			a.setComposerEnabled(r.Membership == "join")
		}
	}
	a.refreshGroupCall(room) // groupcall.go
	a.find.Hide()
	a.thread.Close()
	a.timeline.OlderLoaded(false)
	a.timeline.Set(nil, true)
	a.timeline.SetTyping(nil)
	go func() {
		msgs, err := a.s.Timeline(a.ctx, room, pageSize)
		members, _ := a.s.MemberList(a.ctx, room)
		do(func() {
			if a.reqSeq != seq {
				return
			}
			if err != nil {
				a.showError(T("timeline.load_failed", err))
				return
			}
			a.members = members
			a.timeline.Set(msgs, true)
			a.fmsUpdate(room, msgs, true)
			Trace("room_shown room=%s messages=%d", room, len(msgs))
			a.markRead(room, msgs)
			a.focusComposer()
		})
	}()
}

// markRead sends a read receipt for the newest message when it is someone else's and the window has
// focus (or there is no way to tell).
func (a *App) markRead(room id.RoomID, msgs []session.Message) {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.EventID == "" || m.Kind == "state" {
			continue
		}
		if m.Sender == a.me {
			return
		}
		go func() { _ = a.s.MarkRead(a.ctx, room, m.EventID) }()
		return
	}
}

// loadOlder loads the page before the oldest row shown.
func (a *App) loadOlder() {
	a.mu.Lock()
	room, seq := a.cur, a.reqSeq
	a.mu.Unlock()
	oldest := session.NewestRow
	if b := a.timeline.Bounds(); b.Count > 0 {
		oldest = b.Oldest
	}
	read := a.loadSeq.Add(1)
	go func() {
		p, err := a.s.TimelineBefore(a.ctx, room, oldest, pageSize)
		do(func() {
			if a.reqSeq != seq {
				return
			}
			if err != nil {
				a.timeline.OlderLoaded(false)
				a.showError(T("timeline.load_failed", err))
				return
			}
			a.timeline.OlderLoaded(p.Start)
			if oldest == session.NewestRow {
				if !a.newerShown(read) {
					a.timeline.Set(append(p.Messages, p.Echoes...), false)
				}
			} else {
				a.timeline.Prepend(p.Messages)
			}
		})
	}()
}

func (a *App) applyFilter() {
	f := RoomFilter{Text: a.search.Text}
	switch a.kind.SelectedIndex() {
	case 1:
		f.Kind = "dm"
	case 2:
		f.Kind = "rooms"
	}
	if i := a.space.SelectedIndex(); i > 0 && i <= len(a.spaceIDs) {
		f.Space = a.spaceIDs[i-1]
	}
	a.rooms.SetFilter(f)
}

// updateSpaces offers the joined spaces as filters; the select hides while there are none.
func (a *App) updateSpaces(list []session.RoomSummary) {
	var ids []id.RoomID
	opts := []string{T("rooms.all_spaces")}
	for _, r := range list {
		if r.IsSpace && r.Membership == "join" {
			ids = append(ids, r.ID)
			opts = append(opts, r.Name)
		}
	}
	if slices.Equal(ids, a.spaceIDs) {
		return
	}
	sel := a.space.SelectedIndex()
	var selID id.RoomID
	if sel > 0 && sel <= len(a.spaceIDs) {
		selID = a.spaceIDs[sel-1]
	}
	a.spaceIDs = ids
	a.space.Options = opts
	a.space.Hidden = len(ids) == 0
	idx := 0
	for i, s := range ids {
		if s == selID {
			idx = i + 1
		}
	}
	a.space.SetSelectedIndex(idx)
	a.space.Refresh()
}

func (a *App) setComposerEnabled(on bool) {
	if on {
		a.composer.Entry.Enable()
	} else {
		a.composer.Entry.Disable()
	}
}

func (a *App) focusComposer() {
	if !a.composer.Entry.Disabled() {
		a.w.Canvas().Focus(a.composer.Entry)
	}
}

// showError shows an engine error in the status line; it is safe from any goroutine.
func (a *App) showError(msg string) {
	do(func() { a.SetStatus(msg) })
}

// SetStatus shows (or with "" hides) the status line; it runs on the UI goroutine.
func (a *App) SetStatus(msg string) {
	a.status.SetText(msg)
	if a.status.Hidden != (msg == "") {
		a.status.Hidden = msg == ""
		if c, ok := a.view.(*fyne.Container); ok {
			c.Refresh()
		}
	}
}

func (a *App) memberName(user string) string {
	for _, m := range a.members {
		if string(m.UserID) == user && m.DisplayName != "" {
			return m.DisplayName
		}
	}
	if l, _, err := id.UserID(user).Parse(); err == nil {
		return l
	}
	return user
}

func (a *App) mentionCandidates(prefix string) []Candidate {
	q := strings.ToLower(prefix)
	var out []Candidate
	for _, m := range a.members {
		if m.Membership != "join" || m.UserID == a.me {
			continue
		}
		if strings.Contains(strings.ToLower(m.DisplayName), q) || strings.Contains(strings.ToLower(string(m.UserID)), q) {
			name := m.DisplayName
			if name == "" {
				name = string(m.UserID)
			}
			out = append(out, Candidate{UserID: m.UserID, Name: name})
		}
	}
	return out
}

// send hands a draft to the engine; the timeline shows it as queued through the change events.
func (a *App) send(d Draft) {
	room := a.Current()
	if room == "" {
		return
	}
	go func() {
		var err error
		switch {
		case d.Edits != "":
			_, err = a.s.Send(a.ctx, room, session.Draft{Text: d.Text, Edit: d.Edits})
		case d.ReplyTo != "":
			_, err = a.s.Send(a.ctx, room, session.Draft{Text: d.Text, ReplyTo: d.ReplyTo})
		default:
			_, err = a.s.Send(a.ctx, room, session.Draft{Text: d.Text})
		}
		if err != nil {
			a.showError(T("composer.send_failed", err))
		}
	}()
}

func (a *App) typing(on bool) {
	room := a.Current()
	if room == "" {
		return
	}
	go func() { _ = a.s.SetTyping(a.ctx, room, on) }()
}

// editLast loads our newest text message into the composer (Up in an empty composer).
func (a *App) editLast() {
	msgs := a.timeline.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Sender == a.me && m.EventID != "" && (m.Kind == "text" || m.Kind == "emote" || m.Kind == "notice") {
			a.composer.StartEdit(m.EventID, m.Body)
			return
		}
	}
}
