package ui

// Voice messages in the timeline (MSC3245, as Element shows them): a play/pause button, the
// waveform as bars and the length.

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/voice"
)

// voiceBars is how many bars the waveform has (received waveforms are resampled to it).
const voiceBars = 40

// voiceCard is the voice part of a timeline row; hidden for other messages.
type voiceCard struct {
	t     *Timeline
	play  *widget.Button
	wave  *waveLayout
	bars  []*canvas.Rectangle
	dur   *widget.Label
	label *widget.Label
	view  *fyne.Container
	msg   session.Message
}

func newVoiceCard(t *Timeline) *voiceCard {
	c := &voiceCard{t: t, dur: widget.NewLabel(""), label: widget.NewLabel(T("voice.label")), wave: &waveLayout{}}
	c.label.Importance = widget.LowImportance
	c.play = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), func() {
		if c.t.OnPlayVoice != nil {
			c.t.OnPlayVoice(c.msg)
		}
	})
	objs := make([]fyne.CanvasObject, voiceBars)
	for i := range objs {
		r := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		c.bars = append(c.bars, r)
		objs[i] = r
	}
	c.wave.values = make([]int, voiceBars)
	c.view = container.NewHBox(c.play, container.New(c.wave, objs...), c.dur, c.label)
	c.view.Hide()
	return c
}

// set shows m's voice message (or hides the card).
func (c *voiceCard) set(m session.Message) {
	c.msg = m
	if m.Voice == nil {
		c.view.Hide()
		return
	}
	copy(c.wave.values, voice.Resample(m.Voice.Waveform, voiceBars))
	c.dur.SetText(clock(time.Duration(m.Voice.DurationMS) * time.Millisecond))
	playing := c.t.VoicePlaying != nil && m.EventID != "" && c.t.VoicePlaying(m.EventID)
	if playing {
		c.play.SetIcon(theme.MediaPauseIcon())
	} else {
		c.play.SetIcon(theme.MediaPlayIcon())
	}
	c.play.Disable()
	if m.EventID != "" { // a local echo has nothing to download yet
		c.play.Enable()
	}
	c.view.Show()
	c.view.Refresh()
}

// Playing tells whether the card shows the pause button (for tests).
func (c *voiceCard) Playing() bool { return c.play.Icon == theme.MediaPauseIcon() }

// waveLayout places bars side by side, each as high as its value (0..1024) of the height,
// centred vertically; silent parts keep a thin bar.
type waveLayout struct{ values []int }

const (
	waveBarWidth = 3
	waveGap      = 2
	waveHeight   = 28
)

func (l *waveLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for i, o := range objs {
		h := float32(2)
		if i < len(l.values) {
			h = max(h, size.Height*float32(l.values[i])/voice.WaveformMax)
		}
		o.Resize(fyne.NewSize(waveBarWidth, h))
		o.Move(fyne.NewPos(float32(i*(waveBarWidth+waveGap)), (size.Height-h)/2))
	}
}

func (l *waveLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(float32(len(objs)*(waveBarWidth+waveGap)), waveHeight)
}

// voiceCardOf is the shown card of the voice message eventID (nil when not in view; for tests).
func (t *Timeline) voiceCardOf(eventID id.EventID) *voiceCard {
	for _, r := range t.rows {
		if r.voice.msg.EventID == eventID && r.voice.view.Visible() {
			return r.voice
		}
	}
	return nil
}
