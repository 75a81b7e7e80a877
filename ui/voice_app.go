package ui

// The App's side of voice messages: the composer's microphone action sends what was recorded
// into the shown room; a voice message in the timeline is downloaded, decoded and played (one
// at a time), a second click pauses and resumes.

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2/dialog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/voice"
)

// newVoicePlayer opens the audio output for playback (tests use the null backend).
var newVoicePlayer = voice.NewPlayer

// voicePlayer is what the App plays voice messages with.
type voicePlayer interface {
	Play(pcm []float32, onEnd func()) error
	Pause()
	Resume()
	Paused() bool
	Stop()
	Close()
}

// appVoice is the App's voice message state (UI goroutine).
type appVoice struct {
	rec     *VoiceRecorder
	player  voicePlayer
	playing id.EventID // the message loaded in the player ("" when none)
	loading id.EventID
}

// buildVoice makes the microphone action and hooks playback into the timeline (NewApp).
func (a *App) buildVoice() {
	a.voice = &appVoice{rec: newVoiceRecorder()}
	a.voice.rec.OnSend = a.sendVoice
	a.voice.rec.OnError = func(err error) { dialog.ShowError(errors.New(T("voice.failed", err)), a.w) }
	a.composer.AddAction(a.voice.rec.Mic)
	a.composer.AddBar(a.voice.rec.Bar())
	a.timeline.OnPlayVoice = a.toggleVoice
	a.timeline.VoicePlaying = func(eventID id.EventID) bool {
		return a.voice.playing == eventID && a.voice.player != nil && !a.voice.player.Paused()
	}
}

// VoiceRecorder is the composer's microphone action.
func (a *App) VoiceRecorder() *VoiceRecorder { return a.voice.rec }

// sendVoice sends a recording into the shown room.
func (a *App) sendVoice(clip *voice.Clip) {
	room := a.Current()
	if room == "" {
		return
	}
	go func() {
		if _, err := a.s.SendVoice(a.ctx, room, clip); err != nil {
			do(func() { dialog.ShowError(errors.New(T("voice.failed", err)), a.w) })
		}
	}()
}

// toggleVoice plays m's voice message, or pauses and resumes it when it is the one loaded.
func (a *App) toggleVoice(m session.Message) {
	v := a.voice
	if m.EventID == "" || v.loading == m.EventID {
		return
	}
	if v.playing == m.EventID && v.player != nil {
		if v.player.Paused() {
			v.player.Resume()
		} else {
			v.player.Pause()
		}
		a.timeline.list.Refresh()
		return
	}
	v.loading = m.EventID
	go func() {
		pcm, err := a.voicePCM(m.EventID)
		do(func() {
			v.loading = ""
			if err == nil {
				err = a.playVoice(m.EventID, pcm)
			}
			if err != nil {
				dialog.ShowError(errors.New(T("voice.no_audio", err)), a.w)
			}
			a.timeline.list.Refresh()
		})
	}()
}

// voicePCM downloads (decrypting) and decodes a voice message.
func (a *App) voicePCM(eventID id.EventID) ([]float32, error) {
	att, err := a.s.DownloadFile(a.ctx, eventID)
	if err != nil {
		return nil, err
	}
	pcm, err := voice.Decode(att.Data)
	if err != nil {
		return nil, fmt.Errorf("failed to decode %s: %w", eventID, err)
	}
	return pcm, nil
}

func (a *App) playVoice(eventID id.EventID, pcm []float32) error {
	v := a.voice
	if v.player == nil {
		v.player = newVoicePlayer()
	}
	v.playing = eventID
	err := v.player.Play(pcm, func() {
		do(func() {
			if v.playing == eventID {
				v.playing = ""
				a.timeline.list.Refresh()
			}
		})
	})
	if err != nil {
		v.playing = ""
	}
	return err
}

// VoicePlaying is the voice message loaded in the player ("" when none; for tests).
func (a *App) VoicePlaying() id.EventID { return a.voice.playing }

// stopVoice ends a recording and playback (Stop).
func (a *App) stopVoice() {
	a.voice.rec.abort()
	if a.voice.player != nil {
		a.voice.player.Close()
		a.voice.player = nil
	}
}
