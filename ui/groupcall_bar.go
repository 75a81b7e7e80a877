package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// GroupCallBar is the bar above the composer while this device is in a group call: duration,
// who else is in the call, Stumm / Ton an and Verlassen. Its methods run on the UI goroutine.
type GroupCallBar struct {
	view        *fyne.Container
	status, who *widget.Label
	mute, leave *widget.Button
	muted       bool
	OnMute      func(muted bool)
	OnLeave     func()
}

func newGroupCallBar() *GroupCallBar {
	b := &GroupCallBar{status: widget.NewLabel(""), who: widget.NewLabel("")}
	b.status.TextStyle.Bold = true
	b.who.Wrapping = fyne.TextWrapWord
	b.mute = widget.NewButtonWithIcon(T("call.mute"), theme.VolumeMuteIcon(), func() {
		b.setMuted(!b.muted)
		if b.OnMute != nil {
			b.OnMute(b.muted)
		}
	})
	b.leave = widget.NewButtonWithIcon(T("groupcall.leave"), phoneIcon, func() {
		if b.OnLeave != nil {
			b.OnLeave()
		}
	})
	b.leave.Importance = widget.DangerImportance
	b.view = container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, container.NewHBox(b.mute, b.leave), b.status), b.who)
	b.view.Hide()
	return b
}

// View is the bar's canvas object.
func (b *GroupCallBar) View() fyne.CanvasObject { return b.view }

// Visible reports whether a group call is shown.
func (b *GroupCallBar) Visible() bool { return b.view.Visible() }

// Status is the bar's line ("Gruppenanruf · 0:05"; for tests).
func (b *GroupCallBar) Status() string { return b.status.Text }

// Participants is the line of who else is in the call (for tests).
func (b *GroupCallBar) Participants() string { return b.who.Text }

// MuteButton is Stumm / Ton an (for tests).
func (b *GroupCallBar) MuteButton() *widget.Button { return b.mute }

// LeaveButton is "Verlassen" (for tests).
func (b *GroupCallBar) LeaveButton() *widget.Button { return b.leave }

// show opens the bar for a call just joined.
func (b *GroupCallBar) show(info session.GroupCallInfo, names []string) {
	b.setMuted(false)
	b.set(info, names)
	b.view.Show()
}

// set shows the call's duration and the names of the others.
func (b *GroupCallBar) set(info session.GroupCallInfo, names []string) {
	status := T("groupcall.connecting")
	if !info.ConnectedAt.IsZero() {
		status = T("groupcall.status", formatCallDuration(time.Since(info.ConnectedAt)))
	}
	if b.status.Text != status {
		b.status.SetText(status)
	}
	who := T("groupcall.alone")
	if len(names) > 0 {
		who = T("groupcall.participants", strings.Join(names, ", "))
	}
	if b.who.Text != who {
		b.who.SetText(who)
	}
}

func (b *GroupCallBar) setMuted(m bool) {
	b.muted = m
	if m {
		b.mute.SetText(T("call.unmute"))
		b.mute.SetIcon(theme.VolumeUpIcon())
		b.mute.Importance = widget.WarningImportance
	} else {
		b.mute.SetText(T("call.mute"))
		b.mute.SetIcon(theme.VolumeMuteIcon())
		b.mute.Importance = widget.MediumImportance
	}
	b.mute.Refresh()
}

// hide ends the bar (left the call).
func (b *GroupCallBar) hide() { b.view.Hide() }
