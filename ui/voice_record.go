package ui

// Recording voice messages in the composer: the microphone button starts a recording, a bar
// above the entry shows the elapsed time with "Verwerfen" and "Senden"; at the maximum length
// the recording is sent by itself.

import (
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session/voice"
)

// VoiceRecorder is the composer's microphone action and its recording bar. Its methods run on
// the UI goroutine.
type VoiceRecorder struct {
	Mic     *widget.Button
	bar     *fyne.Container
	elapsed *widget.Label
	cancel  *widget.Button
	send    *widget.Button

	// NewSource gives the audio source of a recording (the microphone; tests a tone).
	NewSource func() voice.Source
	// Max is the longest recording (voice.MaxDuration when 0).
	Max time.Duration
	// OnSend gets the encoded recording; OnError what went wrong (no microphone, encoding).
	OnSend  func(*voice.Clip)
	OnError func(error)

	mu     sync.Mutex // guards rec and stop (read by the ticker goroutine)
	rec    *voice.Recorder
	stop   chan struct{}
	ticked chan struct{} // closed when the ticker goroutine has ended
}

func newVoiceRecorder() *VoiceRecorder {
	v := &VoiceRecorder{elapsed: widget.NewLabel(""), NewSource: func() voice.Source { return voice.NewMic() }}
	v.Mic = widget.NewButtonWithIcon("", theme.NewThemedResource(micIcon), v.Toggle)
	v.cancel = widget.NewButtonWithIcon(T("voice.cancel"), theme.DeleteIcon(), v.Cancel)
	v.send = widget.NewButtonWithIcon(T("voice.send"), theme.MailSendIcon(), v.Finish)
	v.send.Importance = widget.HighImportance
	v.elapsed.Importance = widget.DangerImportance
	v.bar = container.NewBorder(nil, nil, nil, container.NewHBox(v.cancel, v.send), v.elapsed)
	v.bar.Hide()
	return v
}

// Bar is the recording bar shown above the entry while recording.
func (v *VoiceRecorder) Bar() fyne.CanvasObject { return v.bar }

// Recording reports whether a recording runs.
func (v *VoiceRecorder) Recording() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.rec != nil
}

// Elapsed is the text of the bar ("● Aufnahme 0:03").
func (v *VoiceRecorder) Elapsed() string { return v.elapsed.Text }

// Toggle starts a recording, or sends the running one (the microphone button).
func (v *VoiceRecorder) Toggle() {
	if v.Recording() {
		v.Finish()
		return
	}
	rec := voice.NewRecorder(v.NewSource(), v.Max)
	if err := rec.Start(); err != nil {
		v.fail(err)
		return
	}
	stop, ticked := make(chan struct{}), make(chan struct{})
	v.mu.Lock()
	v.rec, v.stop, v.ticked = rec, stop, ticked
	v.mu.Unlock()
	v.elapsed.SetText(T("voice.recording", clock(0)))
	v.bar.Show()
	v.Mic.SetIcon(theme.MediaStopIcon())
	go func() {
		defer close(ticked)
		v.tick(rec, stop)
	}()
}

// tick updates the elapsed time and sends the recording when it reached the maximum length.
func (v *VoiceRecorder) tick(rec *voice.Recorder, stop chan struct{}) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-rec.Full():
			do(func() {
				if v.current() == rec {
					v.Finish()
				}
			})
			return
		case <-t.C:
			text := T("voice.recording", clock(rec.Elapsed()))
			do(func() {
				if v.current() == rec {
					v.elapsed.SetText(text)
				}
			})
		}
	}
}

func (v *VoiceRecorder) current() *voice.Recorder {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.rec
}

// detach takes the running recording off the recorder (no widgets touched).
func (v *VoiceRecorder) detach() *voice.Recorder {
	v.mu.Lock()
	rec, stop, ticked := v.rec, v.stop, v.ticked
	v.rec, v.stop, v.ticked = nil, nil, nil
	v.mu.Unlock()
	if stop != nil {
		close(stop)
		<-ticked // do() only queues: the goroutine ends at once
	}
	return rec
}

// abort throws a running recording away without touching widgets (from any goroutine).
func (v *VoiceRecorder) abort() {
	if rec := v.detach(); rec != nil {
		rec.Cancel()
	}
}

// end detaches the running recording and resets the bar.
func (v *VoiceRecorder) end() *voice.Recorder {
	rec := v.detach()
	v.bar.Hide()
	v.Mic.SetIcon(theme.NewThemedResource(micIcon))
	return rec
}

// Cancel throws the running recording away.
func (v *VoiceRecorder) Cancel() {
	if rec := v.end(); rec != nil {
		rec.Cancel()
	}
}

// Finish ends the running recording and hands it to OnSend (encoded off the UI goroutine).
func (v *VoiceRecorder) Finish() {
	rec := v.end()
	if rec == nil {
		return
	}
	go func() {
		clip, err := rec.Stop()
		do(func() {
			if err != nil {
				v.fail(err)
			} else if v.OnSend != nil {
				v.OnSend(clip)
			}
		})
	}()
}

func (v *VoiceRecorder) fail(err error) {
	if v.OnError != nil {
		v.OnError(err)
	}
}

// clock is a length as "m:ss".
func clock(d time.Duration) string {
	s := int(d / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// micIcon is a microphone (Material Design "mic", Apache 2.0).
var micIcon = fyne.NewStaticResource("mic.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#000000" d="M12 14c1.66 0 2.99-1.34 2.99-3L15 5c0-1.66-1.34-3-3-3S9 3.34 9 5v6c0 1.66 1.34 3 3 3zm5.3-3c0 3-2.54 5.1-5.3 5.1S6.7 14 6.7 11H5c0 3.41 2.72 6.23 6 6.72V21h2v-3.28c3.28-.48 6-3.3 6-6.72h-1.7z"/></svg>`))
