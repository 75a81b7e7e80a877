package ui

import (
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// CallBar is the bar above the composer while a call goes on: who and how long, Stumm / Ton an,
// Auflegen, the choice of microphone and speaker and level meters of both directions. Its
// methods run on the UI goroutine; a ticker updates duration and meters twice a second.
type CallBar struct {
	view           *fyne.Container
	status         *widget.Label
	mute, hangup   *widget.Button
	mics, speakers *widget.Select
	mine, theirs   *widget.ProgressBar
	micDevs        []callmedia.AudioDevice
	spkDevs        []callmedia.AudioDevice
	info           session.CallInfo
	peer           string
	muted          bool
	stop           chan struct{}

	OnMute                  func(muted bool)
	OnHangup                func()
	OnMicrophone, OnSpeaker func(callmedia.AudioDevice)

	video      *CallVideo                                // the other side's video (callvideo.go)
	VideoFrame func(callID string) (image.Image, uint64) // the newest picture of a call's video
}

func newCallBar() *CallBar {
	b := &CallBar{status: widget.NewLabel("")}
	b.status.TextStyle.Bold = true
	b.mute = widget.NewButtonWithIcon(T("call.mute"), theme.VolumeMuteIcon(), func() {
		b.setMuted(!b.muted)
		if b.OnMute != nil {
			b.OnMute(b.muted)
		}
	})
	b.hangup = widget.NewButtonWithIcon(T("call.hangup"), phoneIcon, func() {
		if b.OnHangup != nil {
			b.OnHangup()
		}
	})
	b.hangup.Importance = widget.DangerImportance
	b.mics = widget.NewSelect(nil, func(string) {
		if i := b.mics.SelectedIndex(); i >= 0 && i < len(b.micDevs) && b.OnMicrophone != nil {
			b.OnMicrophone(b.micDevs[i])
		}
	})
	b.mics.PlaceHolder = T("call.microphone")
	b.speakers = widget.NewSelect(nil, func(string) {
		if i := b.speakers.SelectedIndex(); i >= 0 && i < len(b.spkDevs) && b.OnSpeaker != nil {
			b.OnSpeaker(b.spkDevs[i])
		}
	})
	b.speakers.PlaceHolder = T("call.speaker")
	noText := func() string { return "" }
	b.mine, b.theirs = widget.NewProgressBar(), widget.NewProgressBar()
	b.mine.TextFormatter, b.theirs.TextFormatter = noText, noText
	meters := container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, widget.NewIcon(theme.MediaRecordIcon()), nil, b.mine),
		container.NewBorder(nil, nil, widget.NewIcon(theme.VolumeUpIcon()), nil, b.theirs))
	b.view = container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, container.NewHBox(b.mute, b.hangup), b.status),
		container.NewGridWithColumns(2, b.mics, b.speakers), meters, b.newVideo())
	b.view.Hide()
	return b
}

// View is the bar's canvas object.
func (b *CallBar) View() fyne.CanvasObject { return b.view }

// Visible reports whether a call is shown.
func (b *CallBar) Visible() bool { return b.view.Visible() }

// Status is the bar's line ("Anruf mit Anna · 0:05"; for tests).
func (b *CallBar) Status() string { return b.status.Text }

// MuteButton and HangupButton are the bar's actions (for tests).
func (b *CallBar) MuteButton() *widget.Button { return b.mute }

// HangupButton is "Auflegen" (for tests).
func (b *CallBar) HangupButton() *widget.Button { return b.hangup }

// Levels are the meters' values: own microphone, received audio (for tests).
func (b *CallBar) Levels() (mine, theirs float64) { return b.mine.Value, b.theirs.Value }

// Devices are the microphone and speaker choices (for tests).
func (b *CallBar) Devices() (mics, speakers *widget.Select) { return b.mics, b.speakers }

// start shows the bar for a call and starts its ticker; devices and stats are read off the UI
// goroutine.
func (b *CallBar) start(info session.CallInfo, peer string, devices func() (mics, speakers []callmedia.AudioDevice),
	stats func(callID string) (mine, theirs float64)) {
	b.Hide()
	b.peer, b.muted = peer, false
	b.setMuted(false)
	b.mine.SetValue(0)
	b.theirs.SetValue(0)
	b.set(info)
	b.view.Show()
	b.video.start(info.CallID, b.VideoFrame)
	stop := make(chan struct{})
	b.stop = stop
	go func() {
		mics, spks := devices()
		do(func() { b.setDevices(mics, spks) })
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			mine, theirs := stats(info.CallID)
			do(func() {
				select {
				case <-stop:
					return
				default:
				}
				b.mine.SetValue(min(mine, 1))
				b.theirs.SetValue(min(theirs, 1))
				b.refreshStatus()
			})
		}
	}()
}

// set shows a call's state.
func (b *CallBar) set(info session.CallInfo) {
	b.info = info
	b.refreshStatus()
}

func (b *CallBar) refreshStatus() {
	var s string
	switch b.info.State {
	case call.StateInviteSent:
		s = T("call.calling", b.peer)
	case call.StateConnected:
		s = T("call.connected", b.peer, formatCallDuration(time.Since(b.info.ConnectedAt)))
	default:
		s = T("call.connecting", b.peer)
	}
	if s != b.status.Text {
		b.status.SetText(s)
	}
}

func (b *CallBar) setDevices(mics, spks []callmedia.AudioDevice) {
	b.micDevs, b.spkDevs = mics, spks
	names := func(devs []callmedia.AudioDevice) ([]string, int) {
		out, def := make([]string, len(devs)), -1
		for i, d := range devs {
			out[i] = d.Name
			if d.Default && def < 0 {
				def = i
			}
		}
		return out, def
	}
	mn, md := names(mics)
	sn, sd := names(spks)
	b.mics.SetOptions(mn)
	b.speakers.SetOptions(sn)
	// The default device is what the call opened: show it without switching.
	on, os := b.OnMicrophone, b.OnSpeaker
	b.OnMicrophone, b.OnSpeaker = nil, nil
	if md >= 0 {
		b.mics.SetSelectedIndex(md)
	}
	if sd >= 0 {
		b.speakers.SetSelectedIndex(sd)
	}
	b.OnMicrophone, b.OnSpeaker = on, os
}

func (b *CallBar) setMuted(m bool) {
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

// Hide ends the bar (the call ended).
func (b *CallBar) Hide() {
	if b.stop != nil {
		close(b.stop)
		b.stop = nil
	}
	b.video.Hide()
	b.view.Hide()
}
