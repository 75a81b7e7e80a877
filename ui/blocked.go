package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// causeInvalidPolicy is the blocking view's cause when the admin's policy itself cannot be read
// (the app does not start a session then).
const causeInvalidPolicy session.BlockCause = "invalid_policy"

// blockedKeys are the message keys of each cause: what is wrong, and what the admin must do.
var blockedKeys = map[session.BlockCause][2]string{
	session.BlockNoListURL:  {tkey("blocked.cause.no_list_url"), tkey("blocked.admin.policy_list")},
	session.BlockNoKeys:     {tkey("blocked.cause.no_keys"), tkey("blocked.admin.policy_keys")},
	session.BlockNotLoaded:  {tkey("blocked.cause.not_loaded"), tkey("blocked.admin.check_url")},
	session.BlockUnreadable: {tkey("blocked.cause.unreadable"), tkey("blocked.admin.check_url")},
	session.BlockSignature:  {tkey("blocked.cause.bad_signature"), tkey("blocked.admin.check_keys")},
	session.BlockAlgorithm:  {tkey("blocked.cause.algorithm"), tkey("blocked.admin.check_keys")},
	session.BlockMalformed:  {tkey("blocked.cause.malformed"), tkey("blocked.admin.publish")},
	session.BlockExpired:    {tkey("blocked.cause.expired"), tkey("blocked.admin.publish")},
	session.BlockRollback:   {tkey("blocked.cause.rollback"), tkey("blocked.admin.publish_newer")},
	causeInvalidPolicy:      {tkey("blocked.cause.invalid_policy"), tkey("blocked.admin.fix_policy")},
}

// BlockedTexts explains a blocked BOS mode in the UI language: what is wrong and what the admin
// must do (by the engine's typed cause; an unknown cause gets a general sentence).
func BlockedTexts(cause session.BlockCause) (what, todo string) {
	k, ok := blockedKeys[cause]
	if !ok {
		return T("blocked.cause.other"), T("blocked.admin.publish")
	}
	return T(k[0]), T(k[1])
}

// BlockedView is the full-window view shown while BOS mode is blocked: nothing else of the
// window is usable then. It says what is wrong, what the admin must do, and the engine's
// technical reason; the app checks again by itself and goes on once a valid list arrives.
type BlockedView struct {
	Title, What, Todo, Detail, Note *widget.Label
	cause                           session.BlockCause
	view                            *fyne.Container
}

// NewBlockedView builds the view (hidden until Set shows a reason).
func NewBlockedView() *BlockedView {
	v := &BlockedView{Title: widget.NewLabel(T("blocked.title")), What: widget.NewLabel(""), Todo: widget.NewLabel(""),
		Detail: widget.NewLabel(""), Note: widget.NewLabel(T("blocked.note"))}
	v.Title.TextStyle.Bold = true
	v.Title.SizeName = theme.SizeNameHeadingText
	v.What.Importance = widget.DangerImportance
	v.What.TextStyle.Bold = true
	for _, l := range []*widget.Label{v.What, v.Todo, v.Detail, v.Note} {
		l.Wrapping = fyne.TextWrapWord
	}
	v.Detail.Importance = widget.LowImportance
	v.Detail.SizeName = theme.SizeNameCaptionText
	v.Note.Importance = widget.LowImportance
	icon := widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon()))
	iconBox := container.NewGridWrap(fyne.NewSize(64, 64), icon)
	todoTitle := widget.NewLabel(T("blocked.admin_title"))
	todoTitle.TextStyle.Bold = true
	box := container.NewVBox(container.NewHBox(iconBox, container.NewCenter(v.Title)), v.What, widget.NewSeparator(),
		todoTitle, v.Todo, v.Detail, widget.NewSeparator(), v.Note)
	v.view = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameBackground)),
		container.NewCenter(container.NewGridWrap(fyne.NewSize(620, box.MinSize().Height+80), box)))
	v.view.Hide()
	return v
}

// View is the view's canvas object.
func (v *BlockedView) View() fyne.CanvasObject { return v.view }

// Shown reports whether the view is shown (BOS mode blocked).
func (v *BlockedView) Shown() bool { return v.view.Visible() }

// Cause is the shown cause ("" while hidden).
func (v *BlockedView) Cause() session.BlockCause { return v.cause }

// Set shows the view for a blocked state (an error matching session.ErrPolicyBlocked, with its
// cause) or, with nil, hides it. cause overrides the error's own cause when set.
func (v *BlockedView) Set(err error, cause session.BlockCause) {
	if err == nil {
		v.cause = ""
		v.view.Hide()
		return
	}
	if cause == "" {
		cause = session.BlockCauseOf(err)
	}
	v.cause = cause
	what, todo := BlockedTexts(cause)
	v.What.SetText(what)
	v.Todo.SetText(todo)
	v.Detail.SetText(T("blocked.detail", err.Error()))
	v.view.Show()
	v.view.Refresh()
}

// PolicyErrorView is the window's only view when the admin's policy cannot be read: the app
// fails closed and does not open the account.
func PolicyErrorView(err error) fyne.CanvasObject {
	v := NewBlockedView()
	v.Set(err, causeInvalidPolicy)
	return v.View()
}
