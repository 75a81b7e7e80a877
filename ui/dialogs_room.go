package ui

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// This file holds the room dialogs (create a room, start a DM, invite, leave, accept or reject an
// invite) and the helpers the other dialogs share: the progress dialog, error texts and Matrix ID
// parsing. Every network call runs off the UI goroutine; results reach widgets through do
// (fyne.Do). Closing a dialog cancels its pending network call.

// ---- shared helpers ----

// failureText explains err in the UI language: the session's sentinel errors (errors.Is, never the
// error's text) get a sentence of their own, anything else a general one. Callers show the (English, scrubbed) technical text
// below it as details.
func failureText(err error) string {
	var urlErr *url.Error
	var netErr net.Error
	switch {
	case errors.Is(err, session.ErrPolicyDenied):
		return T("dlg.err.policy")
	case errors.Is(err, session.ErrSessionTerminated):
		return T("dlg.err.session_terminated")
	case errors.Is(err, session.ErrCannotEncrypt):
		return T("dlg.err.cannot_encrypt")
	case errors.Is(err, context.DeadlineExceeded):
		return T("dlg.err.timeout")
	case errors.Is(err, session.ErrUnreachable), errors.As(err, &urlErr), errors.As(err, &netErr):
		return T("dlg.err.unreachable")
	case isWrongPassword(err):
		return T("dlg.err.wrong_password")
	case errors.Is(err, session.ErrCurrentDevice):
		return T("dlg.err.current_device")
	case errors.Is(err, session.ErrUnknownRoom):
		return T("dlg.err.unknown_room")
	case errors.Is(err, session.ErrForbidden):
		return T("dlg.err.forbidden")
	case errors.Is(err, session.ErrNotFound):
		return T("dlg.err.not_found")
	case errors.Is(err, session.ErrRateLimited):
		return T("dlg.err.rate_limited")
	}
	return T("dlg.err.generic")
}

// isWrongPassword recognises a password the server refused (session.ErrWrongPassword).
func isWrongPassword(err error) bool { return errors.Is(err, session.ErrWrongPassword) }

// showFailure shows err in a dialog titled title, with the explanation and the technical detail.
// Cancellations (the user closed a progress dialog) are not shown. Must run on the UI goroutine.
func showFailure(w fyne.Window, title string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	msg := widget.NewLabel(failureText(err))
	msg.Wrapping = fyne.TextWrapWord
	detail := widget.NewLabel(T("dlg.err.detail", err.Error()))
	detail.Wrapping = fyne.TextWrapWord
	detail.Importance = widget.LowImportance
	detail.SizeName = theme.SizeNameCaptionText
	d := dialog.NewCustom(title, T("dlg.close"), container.NewVBox(msg, detail), w)
	fitDialog(d, widthNarrow)
	d.Show()
}

// runBusy runs work off the UI goroutine while a modal progress dialog shows text, then hides the
// dialog and calls done with work's error on the UI goroutine. The dialog's cancel button cancels
// work's context (done then gets context.Canceled). Must be called on the UI goroutine.
func runBusy(ctx context.Context, w fyne.Window, text string, work func(ctx context.Context) error, done func(err error)) {
	wctx, cancel := context.WithCancel(ctx)
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	bar := widget.NewProgressBarInfinite()
	d := dialog.NewCustomWithoutButtons(T("dlg.busy"), container.NewVBox(label, bar), w)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.cancel"), cancel)})
	fitDialog(d, widthNarrow)
	d.Show()
	go func() {
		err := work(wctx)
		if err == nil && wctx.Err() != nil {
			err = wctx.Err()
		}
		cancel()
		do(func() {
			bar.Stop()
			d.Hide()
			done(err)
		})
	}()
}

// parseUserID validates one Matrix user ID (@localpart:server).
func parseUserID(s string) (id.UserID, bool) {
	u := id.UserID(strings.TrimSpace(s))
	local, _, err := u.ParseAndValidateRelaxed()
	if err != nil || local == "" || strings.ContainsAny(string(u), " \t\n") {
		return "", false
	}
	return u, true
}

// parseUserIDs splits a list of Matrix IDs separated by commas, semicolons or white space. It
// returns the IDs (without duplicates) and the first malformed entry, if any.
func parseUserIDs(s string) (ids []id.UserID, bad string) {
	seen := map[id.UserID]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}) {
		u, ok := parseUserID(f)
		if !ok {
			return nil, f
		}
		if !seen[u] {
			seen[u] = true
			ids = append(ids, u)
		}
	}
	return ids, ""
}

// errorLabel is a red, wrapping, initially hidden label for inline form errors.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// fitDialog re-lays out a dialog whose content changed size (an error shown, a progress bar
// hidden), at the given width and the height its content needs.
func fitDialog(d dialog.Dialog, width float32) { d.Resize(fyne.NewSize(width, 0)) }

// Dialog widths.
const (
	widthNarrow float32 = 420
	widthForm   float32 = 480
	widthWide   float32 = 640
)

func setError(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// ---- create room ----

// createRoomForm is the create-room dialog's state; its fields are touched on the UI goroutine only.
type createRoomForm struct {
	ctx       context.Context
	s         Engine
	w         fyne.Window
	onCreated func(id.RoomID)

	name, topic, invite *widget.Entry
	encrypted           *widget.Check
	errLabel            *widget.Label
	progress            *widget.ProgressBarInfinite
	createBtn, cancel   *widget.Button
	dlg                 *dialog.CustomDialog
}

// ShowCreateRoom shows the create-room dialog: name (required), topic, end-to-end encryption (on
// by default) and Matrix IDs to invite. After the room exists (and is synced), the dialog closes
// and onCreated gets the room ID on the UI goroutine.
func ShowCreateRoom(ctx context.Context, w fyne.Window, s Engine, onCreated func(id.RoomID)) {
	newCreateRoomForm(ctx, w, s, onCreated).dlg.Show()
}

func newCreateRoomForm(ctx context.Context, w fyne.Window, s Engine, onCreated func(id.RoomID)) *createRoomForm {
	f := &createRoomForm{s: s, w: w, onCreated: onCreated}
	var cancel context.CancelFunc
	f.ctx, cancel = context.WithCancel(ctx)
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder(T("dlg.create_room.name_hint"))
	f.topic = widget.NewEntry()
	f.topic.SetPlaceHolder(T("dlg.optional"))
	f.invite = widget.NewMultiLineEntry()
	f.invite.SetMinRowsVisible(2)
	f.invite.Wrapping = fyne.TextWrapWord
	f.invite.SetPlaceHolder(T("dlg.mxids_hint"))
	f.encrypted = widget.NewCheck(T("dlg.create_room.encrypted"), nil)
	f.encrypted.SetChecked(true)
	f.errLabel = errorLabel()
	f.progress = widget.NewProgressBarInfinite()
	f.progress.Stop()
	f.progress.Hide()
	form := widget.NewForm(
		widget.NewFormItem(T("dlg.create_room.name"), f.name),
		widget.NewFormItem(T("dlg.create_room.topic"), f.topic),
		widget.NewFormItem("", f.encrypted),
		widget.NewFormItem(T("dlg.create_room.invite"), f.invite),
	)
	f.name.OnSubmitted = func(string) { f.submit() }
	f.createBtn = widget.NewButton(T("dlg.create_room.create"), f.submit)
	f.createBtn.Importance = widget.HighImportance
	f.cancel = widget.NewButton(T("dlg.cancel"), func() { f.dlg.Hide() })
	f.dlg = dialog.NewCustomWithoutButtons(T("dlg.create_room.title"), container.NewVBox(form, f.errLabel, f.progress), w)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.createBtn})
	f.dlg.SetOnClosed(cancel)
	fitDialog(f.dlg, widthForm)
	return f
}

// validate returns the options for CreateRoom, or the error text to show.
func (f *createRoomForm) validate() (session.CreateRoomOptions, string) {
	name := strings.TrimSpace(f.name.Text)
	if name == "" {
		return session.CreateRoomOptions{}, T("dlg.err.name_required")
	}
	invite, bad := parseUserIDs(f.invite.Text)
	if bad != "" {
		return session.CreateRoomOptions{}, T("dlg.err.bad_mxid", bad)
	}
	return session.CreateRoomOptions{Name: name, Topic: strings.TrimSpace(f.topic.Text), Encrypted: f.encrypted.Checked, Invite: invite}, ""
}

func (f *createRoomForm) setBusy(busy bool) {
	setFormBusy(f.dlg, f.progress, busy, f.name, f.topic, f.invite, f.encrypted, f.createBtn)
}

// setFormBusy disables a form dialog's controls and shows its progress bar while it works (busy),
// or enables them and hides the bar again, and re-lays out the dialog.
func setFormBusy(d dialog.Dialog, progress *widget.ProgressBarInfinite, busy bool, controls ...fyne.Disableable) {
	for _, e := range controls {
		if busy {
			e.Disable()
		} else {
			e.Enable()
		}
	}
	if busy {
		progress.Show()
		progress.Start()
	} else {
		progress.Stop()
		progress.Hide()
	}
	fitDialog(d, widthForm)
}

func (f *createRoomForm) submit() {
	opts, problem := f.validate()
	setError(f.errLabel, problem)
	fitDialog(f.dlg, widthForm)
	if problem != "" {
		return
	}
	f.setBusy(true)
	go func() {
		roomID, err := f.s.CreateRoom(f.ctx, opts)
		do(func() {
			f.setBusy(false)
			if err != nil {
				setError(f.errLabel, failureText(err)+"\n"+T("dlg.err.detail", err.Error()))
				fitDialog(f.dlg, widthForm)
				return
			}
			f.dlg.Hide()
			if f.onCreated != nil {
				f.onCreated(roomID)
			}
		})
	}()
}

// ---- start DM ----

// dmForm is the start-DM dialog's state (UI goroutine only).
type dmForm struct {
	ctx       context.Context
	s         Engine
	onCreated func(id.RoomID)

	user      *widget.Entry
	errLabel  *widget.Label
	progress  *widget.ProgressBarInfinite
	startBtn  *widget.Button
	dlg       *dialog.CustomDialog
	encrypted bool
}

// ShowStartDM asks for a Matrix ID and starts an encrypted direct chat with that user; onCreated
// gets the new room's ID on the UI goroutine.
func ShowStartDM(ctx context.Context, w fyne.Window, s Engine, onCreated func(id.RoomID)) {
	newDMForm(ctx, w, s, onCreated).dlg.Show()
}

func newDMForm(ctx context.Context, w fyne.Window, s Engine, onCreated func(id.RoomID)) *dmForm {
	f := &dmForm{s: s, onCreated: onCreated, encrypted: true}
	var cancel context.CancelFunc
	f.ctx, cancel = context.WithCancel(ctx)
	f.user = widget.NewEntry()
	f.user.SetPlaceHolder(T("dlg.mxid_hint"))
	f.user.OnSubmitted = func(string) { f.submit() }
	f.errLabel = errorLabel()
	f.progress = widget.NewProgressBarInfinite()
	f.progress.Stop()
	f.progress.Hide()
	note := widget.NewLabel(T("dlg.start_dm.note"))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	form := widget.NewForm(widget.NewFormItem(T("dlg.mxid"), f.user))
	f.startBtn = widget.NewButton(T("dlg.start_dm.start"), f.submit)
	f.startBtn.Importance = widget.HighImportance
	f.dlg = dialog.NewCustomWithoutButtons(T("dlg.start_dm.title"), container.NewVBox(form, note, f.errLabel, f.progress), w)
	f.dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.cancel"), func() { f.dlg.Hide() }), f.startBtn})
	f.dlg.SetOnClosed(cancel)
	fitDialog(f.dlg, widthForm)
	return f
}

// setErr shows (or with "" hides) the error and refits the dialog.
func (f *dmForm) setErr(text string) {
	setError(f.errLabel, text)
	fitDialog(f.dlg, widthForm)
}

func (f *dmForm) submit() {
	text := strings.TrimSpace(f.user.Text)
	if text == "" {
		f.setErr(T("dlg.err.mxid_required"))
		return
	}
	user, ok := parseUserID(text)
	if !ok {
		f.setErr(T("dlg.err.bad_mxid", text))
		return
	}
	f.setErr("")
	f.user.Disable()
	f.startBtn.Disable()
	f.progress.Show()
	f.progress.Start()
	fitDialog(f.dlg, widthForm)
	go func() {
		roomID, err := f.s.CreateDM(f.ctx, user, f.encrypted)
		do(func() {
			f.user.Enable()
			f.startBtn.Enable()
			f.progress.Stop()
			f.progress.Hide()
			if err != nil {
				f.setErr(failureText(err) + "\n" + T("dlg.err.detail", err.Error()))
				return
			}
			f.dlg.Hide()
			if f.onCreated != nil {
				f.onCreated(roomID)
			}
		})
	}()
}

// ---- invite ----

// inviteForm is the invite dialog's state (UI goroutine only).
type inviteForm struct {
	ctx      context.Context
	s        Engine
	roomID   id.RoomID
	users    *widget.Entry
	errLabel *widget.Label
	progress *widget.ProgressBarInfinite
	okBtn    *widget.Button
	dlg      *dialog.CustomDialog
	onDone   func() // after all invites went out (tests)
}

// ShowInvite asks for one or more Matrix IDs and invites them into the room. Failed invitations
// are listed in the dialog, which stays open; when all went out it closes.
func ShowInvite(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID) {
	newInviteForm(ctx, w, s, roomID).dlg.Show()
}

func newInviteForm(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID) *inviteForm {
	f := &inviteForm{s: s, roomID: roomID}
	var cancel context.CancelFunc
	f.ctx, cancel = context.WithCancel(ctx)
	f.users = widget.NewMultiLineEntry()
	f.users.SetMinRowsVisible(2)
	f.users.Wrapping = fyne.TextWrapWord
	f.users.SetPlaceHolder(T("dlg.mxids_hint"))
	f.errLabel = errorLabel()
	f.progress = widget.NewProgressBarInfinite()
	f.progress.Stop()
	f.progress.Hide()
	form := widget.NewForm(widget.NewFormItem(T("dlg.invite.users"), f.users))
	f.okBtn = widget.NewButton(T("dlg.invite.invite"), f.submit)
	f.okBtn.Importance = widget.HighImportance
	f.dlg = dialog.NewCustomWithoutButtons(T("dlg.invite.title"), container.NewVBox(form, f.errLabel, f.progress), w)
	f.dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.cancel"), func() { f.dlg.Hide() }), f.okBtn})
	f.dlg.SetOnClosed(cancel)
	fitDialog(f.dlg, widthForm)
	return f
}

// setErr shows (or with "" hides) the error and refits the dialog.
func (f *inviteForm) setErr(text string) {
	setError(f.errLabel, text)
	fitDialog(f.dlg, widthForm)
}

func (f *inviteForm) submit() {
	users, bad := parseUserIDs(f.users.Text)
	switch {
	case bad != "":
		f.setErr(T("dlg.err.bad_mxid", bad))
		return
	case len(users) == 0:
		f.setErr(T("dlg.err.mxid_required"))
		return
	}
	f.setErr("")
	f.users.Disable()
	f.okBtn.Disable()
	f.progress.Show()
	f.progress.Start()
	fitDialog(f.dlg, widthForm)
	go func() {
		var failed []string
		var remaining []string
		for _, u := range users {
			if err := f.s.Invite(f.ctx, f.roomID, u); err != nil {
				failed = append(failed, T("dlg.invite.failed_one", u, failureText(err)))
				remaining = append(remaining, string(u))
			}
		}
		do(func() {
			f.users.Enable()
			f.okBtn.Enable()
			f.progress.Stop()
			f.progress.Hide()
			if len(failed) > 0 {
				f.users.SetText(strings.Join(remaining, ", "))
				f.setErr(strings.Join(failed, "\n"))
			} else {
				f.dlg.Hide()
			}
			if f.onDone != nil {
				f.onDone()
			}
		})
	}()
}

// ---- leave, accept, reject ----

// ShowLeave asks whether to leave the room (named in the question) and leaves it; onLeft runs on
// the UI goroutine afterwards (the lead switches to another room there).
func ShowLeave(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID, onLeft func()) {
	go func() {
		name := string(roomID)
		if sum, err := s.Room(ctx, roomID); err == nil && sum.Name != "" {
			name = sum.Name
		}
		do(func() { showLeaveConfirm(ctx, w, s, roomID, name, onLeft) })
	}()
}

func showLeaveConfirm(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID, name string, onLeft func()) {
	text := widget.NewLabel(T("dlg.leave.question", name))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(T("dlg.leave.title"), T("dlg.leave.leave"), T("dlg.cancel"), text, func(ok bool) {
		if !ok {
			return
		}
		runBusy(ctx, w, T("dlg.leave.leaving"), func(ctx context.Context) error { return s.Leave(ctx, roomID) }, func(err error) {
			if err != nil {
				showFailure(w, T("dlg.leave.title"), err)
				return
			}
			if onLeft != nil {
				onLeft()
			}
		})
	}, w)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// AcceptInvite joins the room of an invite, with a progress dialog; onJoined runs on the UI
// goroutine with the room ID once the room is synced.
func AcceptInvite(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID, onJoined func(id.RoomID)) {
	var joined id.RoomID
	runBusy(ctx, w, T("dlg.invite.accepting"), func(ctx context.Context) (err error) {
		joined, err = s.Join(ctx, roomID.String())
		return err
	}, func(err error) {
		if err != nil {
			showFailure(w, T("dlg.invite.accept_failed"), err)
			return
		}
		if onJoined != nil {
			onJoined(joined)
		}
	})
}

// RejectInvite declines an invite, with a progress dialog; onDone runs on the UI goroutine after.
func RejectInvite(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID, onDone func()) {
	runBusy(ctx, w, T("dlg.invite.rejecting"), func(ctx context.Context) error {
		return s.RejectInvite(ctx, roomID)
	}, func(err error) {
		if err != nil {
			showFailure(w, T("dlg.invite.reject_failed"), err)
			return
		}
		if onDone != nil {
			onDone()
		}
	})
}
