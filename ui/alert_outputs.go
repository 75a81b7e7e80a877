package ui

import (
	"fyne.io/fyne/v2"
)

// AlarmSound plays the alarm tone in a loop until Stop; Start while it plays does nothing.
// cmd/bosmessenger wires internal/alarmsound; without one alerts are silent (tests).
type AlarmSound interface {
	Start() error
	Stop()
}

// AlertOutputs are the ways an alert reaches the user beyond the window's content.
type AlertOutputs struct {
	// Sound is the alarm tone of priority alarms (nil: silent).
	Sound AlarmSound
	// Notify shows a desktop notification; critical for alarms (freedesktop urgency critical,
	// a Windows alarm toast). Nil: Fyne's ordinary notification.
	Notify func(title, body string, critical bool) error
	// Attention asks the window system to draw attention to the window (an urgency hint);
	// optional, called after RequestFocus.
	Attention func(w fyne.Window)
	// Ring is the ring tone of incoming calls, played until the call is answered, rejected or
	// gone (nil: silent).
	Ring AlarmSound
}

func (o AlertOutputs) startSound() {
	if o.Sound != nil {
		_ = o.Sound.Start() // no audio output: the alert stays silent, the view still shows
	}
}

func (o AlertOutputs) stopSound() {
	if o.Sound != nil {
		o.Sound.Stop()
	}
}

func (o AlertOutputs) notify(title, body string, critical bool) {
	if o.Notify != nil {
		_ = o.Notify(title, body, critical)
		return
	}
	if a := fyne.CurrentApp(); a != nil {
		a.SendNotification(fyne.NewNotification(title, body))
	}
}
