package ui

// The App's side of 1:1 calls: the header's call button (Ctrl+Shift+C) places a call into the
// shown 1:1 room, an incoming call opens a dialog that rings until it is answered, rejected,
// answered on another device, hung up or expired, and a call going on shows the call bar above
// the composer (callbar.go). The engine (session/calls.go) does the signalling and the media.

import (
	"errors"
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// phoneIcon is the call button's handset (Fyne's theme has none).
var phoneIcon = theme.NewThemedResource(fyne.NewStaticResource("phone.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><path fill="#000" d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>`)))

// newCallAudio opens the audio devices of calls (tests use callmedia.OpenNullAudio).
var newCallAudio = callmedia.OpenAudio

// appCalls is the App's call state (UI goroutine unless noted).
type appCalls struct {
	bar        *CallBar
	active     string // the call the bar shows ("" when none)
	incoming   dialog.Dialog
	incomingID string
	accept     *widget.Button // the ringing dialog's buttons (for tests)
	reject     *widget.Button
	media      *callAudio // the devices of the active call (nil when none)
	mu         sync.Mutex // guards media for the engine goroutines
}

// buildCalls wires the call button and the call bar (NewApp).
func (a *App) buildCalls() {
	a.calls = &appCalls{bar: newCallBar()}
	a.calls.bar.OnMute = a.muteCall
	a.calls.bar.OnHangup = a.hangupCall
	a.calls.bar.OnMicrophone = func(dev callmedia.AudioDevice) { a.switchCallDevice(true, dev) }
	a.calls.bar.OnSpeaker = func(dev callmedia.AudioDevice) { a.switchCallDevice(false, dev) }
	a.calls.bar.VideoFrame = a.s.CallVideoFrame
	a.header.OnCall = a.PlaceCall
	a.header.SetCallsDisabled(a.s.CheckCalls() != nil) // policy disable_calls
}

// CallBar is the bar of the call going on (for tests).
func (a *App) CallBar() *CallBar { return a.calls.bar }

// IncomingCall is the ringing call's ID and its dialog's Annehmen and Ablehnen buttons ("" when
// none; for tests).
func (a *App) IncomingCall() (callID string, accept, reject *widget.Button) {
	return a.calls.incomingID, a.calls.accept, a.calls.reject
}

// PlaceCall calls the other member of the shown room (the call button, Ctrl+Shift+C).
func (a *App) PlaceCall() {
	room := a.Current()
	if room == "" || a.calls.active != "" || a.group.room != "" { // group calls: groupcall.go
		return
	}
	if err := a.s.CheckCalls(); err != nil {
		dialog.ShowInformation(T("call.button"), T("call.disabled"), a.w)
		return
	}
	if a.header.room == nil || a.header.room.JoinedCount != 2 {
		dialog.ShowInformation(T("call.button"), T("call.not_one_to_one"), a.w)
		return
	}
	go func() {
		opts, err := a.openCallMedia()
		if err != nil {
			a.callFailed(err)
			return
		}
		info, err := a.s.PlaceCall(a.ctx, room, opts)
		if err != nil {
			a.closeCallMedia()
			a.callFailed(err)
			return
		}
		do(func() { a.showCall(info) })
	}()
}

// callChanges follows the engine's call changes (engine goroutine).
func (a *App) callChanges(batch []session.Change) {
	for _, c := range batch {
		if (c.Kind != session.ChangeCall && c.Kind != session.ChangeCallIncoming) || c.CallID == "" {
			continue
		}
		info, err := a.s.Call(c.CallID)
		if err != nil {
			continue
		}
		do(func() { a.applyCall(info) })
	}
}

// applyCall shows a call's new state (UI goroutine).
func (a *App) applyCall(info session.CallInfo) {
	if info.State == call.StateRinging && !info.Outbound {
		if a.calls.incomingID == "" && a.calls.active == "" {
			a.showIncoming(info)
		}
		return
	}
	if info.CallID == a.calls.incomingID { // answered (here or elsewhere), hung up or expired
		a.closeIncoming()
	}
	if info.CallID != a.calls.active {
		return
	}
	if info.State == call.StateEnded {
		a.calls.active = ""
		a.calls.bar.Hide()
		a.relayout()
		go a.closeCallMedia()
		if info.EndReason != "" && info.EndReason != call.ReasonUserHangup && !info.EndedByRemote {
			a.showError(callEndMessage(info.EndReason))
		}
		return
	}
	a.calls.bar.set(info)
}

// showCall shows the bar of a call placed or answered here.
func (a *App) showCall(info session.CallInfo) {
	a.calls.active = info.CallID
	a.calls.bar.start(info, a.memberName(string(info.Peer)), a.callDevices, a.callStats)
	a.relayout()
	// The call may have moved on before the bar showed.
	if now, err := a.s.Call(info.CallID); err == nil && now.State != info.State {
		a.applyCall(now)
	}
}

// showIncoming opens the ringing dialog of an incoming call.
func (a *App) showIncoming(info session.CallInfo) {
	room := string(info.RoomID)
	for _, r := range a.rooms.All() {
		if r.ID == info.RoomID {
			room = session.CleanName(r.Name)
		}
	}
	body := widget.NewLabel(T("call.incoming_body", a.memberName(string(info.Peer)), room))
	body.Wrapping = fyne.TextWrapWord
	accept := widget.NewButtonWithIcon(T("call.accept"), phoneIcon, func() { a.answerCall(info) })
	accept.Importance = widget.SuccessImportance
	reject := widget.NewButtonWithIcon(T("call.reject"), theme.CancelIcon(), func() {
		a.closeIncoming()
		go func() {
			if err := a.s.RejectCall(info.CallID); err != nil && !errors.Is(err, session.ErrCallState) {
				a.callFailed(err)
			}
		}()
	})
	reject.Importance = widget.DangerImportance
	d := dialog.NewCustomWithoutButtons(T("call.incoming_title"),
		container.NewVBox(body, container.NewGridWithColumns(2, reject, accept)), a.w)
	a.calls.incoming, a.calls.incomingID = d, info.CallID
	a.calls.accept, a.calls.reject = accept, reject
	d.Show()
	if a.alerts.out.Ring != nil {
		_ = a.alerts.out.Ring.Start() // no audio output: the dialog still shows
	}
	a.alerts.out.notify(T("call.incoming_title"), body.Text, false)
}

// closeIncoming closes the ringing dialog and stops the ring tone.
func (a *App) closeIncoming() {
	if a.alerts.out.Ring != nil {
		a.alerts.out.Ring.Stop()
	}
	if a.calls.incoming != nil {
		a.calls.incoming.Hide()
	}
	a.calls.incoming, a.calls.incomingID = nil, ""
}

// answerCall answers the ringing call with this device's microphone and speaker.
func (a *App) answerCall(info session.CallInfo) {
	a.closeIncoming()
	go func() {
		opts, err := a.openCallMedia()
		if err != nil {
			a.callFailed(err)
			_ = a.s.RejectCall(info.CallID)
			return
		}
		if err := a.s.AnswerCall(a.ctx, info.CallID, opts); err != nil {
			a.closeCallMedia()
			a.callFailed(err)
			return
		}
		now, err := a.s.Call(info.CallID)
		if err != nil {
			now = info
		}
		do(func() { a.showCall(now) })
	}()
}

func (a *App) muteCall(muted bool) {
	if id := a.calls.active; id != "" {
		go func() { _ = a.s.SetCallMuted(id, muted) }()
	}
}

func (a *App) hangupCall() {
	if id := a.calls.active; id != "" {
		go func() {
			if err := a.s.HangupCall(id, ""); err != nil && !errors.Is(err, session.ErrCallState) {
				a.callFailed(err)
			}
		}()
	}
}

// callFailed shows why a call could not be placed or answered (any goroutine).
func (a *App) callFailed(err error) {
	msg := T("call.failed", err)
	switch {
	case errors.Is(err, session.ErrCallsDisabled):
		msg = T("call.disabled")
	case errors.Is(err, session.ErrNotOneToOne):
		msg = T("call.not_one_to_one")
	case errors.Is(err, session.ErrNoMicrophone), errors.Is(err, callmedia.ErrNoAudioDevice):
		msg = T("call.no_microphone", err)
	}
	do(func() { dialog.ShowError(errors.New(msg), a.w) })
}

// callStats reads the level meters of the active call (engine goroutine of the bar's ticker).
func (a *App) callStats(callID string) (mine, theirs float64) {
	a.calls.mu.Lock()
	m := a.calls.media
	a.calls.mu.Unlock()
	if m != nil {
		mine = m.level()
	}
	if st, ok := a.s.CallStats(callID); ok {
		theirs = st.AudioLevel
	}
	return mine, theirs
}

// callDevices lists microphones and speakers for the bar's choice (engine goroutine).
func (a *App) callDevices() (mics, speakers []callmedia.AudioDevice) {
	a.calls.mu.Lock()
	m := a.calls.media
	a.calls.mu.Unlock()
	if m == nil {
		return nil, nil
	}
	mics, _ = m.audio.Microphones()
	speakers, _ = m.audio.Speakers()
	return mics, speakers
}

func (a *App) switchCallDevice(mic bool, dev callmedia.AudioDevice) {
	go func() {
		a.calls.mu.Lock()
		m := a.calls.media
		a.calls.mu.Unlock()
		if m == nil {
			return
		}
		var err error
		if mic {
			err = m.useMicrophone(dev.ID)
		} else {
			err = m.useSpeaker(dev.ID)
		}
		if err != nil {
			a.callFailed(err)
		}
	}()
}

// openCallMedia opens the default microphone and speaker for a call (engine goroutine).
func (a *App) openCallMedia() (session.CallMediaOptions, error) {
	m, err := openCallAudio()
	if err != nil {
		return session.CallMediaOptions{}, err
	}
	a.calls.mu.Lock()
	old := a.calls.media
	a.calls.media = m
	a.calls.mu.Unlock()
	if old != nil {
		old.close()
	}
	return session.CallMediaOptions{Source: m.src, Sink: m.sink}, nil
}

// closeCallMedia releases the call's devices (engine goroutine).
func (a *App) closeCallMedia() {
	a.calls.mu.Lock()
	m := a.calls.media
	a.calls.media = nil
	a.calls.mu.Unlock()
	if m != nil {
		m.close()
	}
}

// stopCalls hangs up and releases the devices when the app stops.
func (a *App) stopCalls() {
	if a.calls == nil {
		return
	}
	if a.alerts.out.Ring != nil {
		a.alerts.out.Ring.Stop()
	}
	a.closeCallMedia()
}

// errNoCallAudio wraps a failure to open the audio devices.
func errNoCallAudio(err error) error {
	return fmt.Errorf("%w: %v", session.ErrNoMicrophone, err)
}
