package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"github.com/gen2brain/beeep"
	"github.com/rs/zerolog"

	"bosmessenger/assets"
	"bosmessenger/internal/alarmsound"
	"bosmessenger/internal/attention"
	"bosmessenger/ui"
)

// envSilentAlarm, set to 1, plays the alarm tone into miniaudio's null backend (GUI tests).
const envSilentAlarm = "BOSMESSENGER_SILENT_ALARM"

// alertOutputs wires the alarm tone (malgo), the desktop notification (beeep: critical urgency
// for alarms) and the window's urgency hint (X11) or flashing (Windows).
func alertOutputs(log zerolog.Logger, silent bool) (ui.AlertOutputs, func()) {
	player, ring := alarmsound.New(), alarmsound.New() // ring: incoming calls
	if silent {
		player, ring = alarmsound.NewNull(), alarmsound.NewNull()
	}
	beeep.AppName = ui.T("app.title")
	icon := assets.Icon.Content()
	out := ui.AlertOutputs{
		Sound: loggedSound{player, log},
		Notify: func(title, body string, critical bool) error {
			var err error
			if critical {
				err = beeep.Alert(title, body, icon)
			} else {
				err = beeep.Notify(title, body, icon)
			}
			if err != nil {
				log.Warn().Err(err).Bool("critical", critical).Msg("Alert notification failed")
			}
			return err
		},
		Attention: func(w fyne.Window) { requestAttention(w, log) },
		Ring:      loggedSound{ring, log},
	}
	return out, func() { player.Close(); ring.Close() }
}

// loggedSound logs when the tone cannot play (no audio output); the alert still shows.
type loggedSound struct {
	p   *alarmsound.Player
	log zerolog.Logger
}

func (s loggedSound) Start() error {
	err := s.p.Start()
	if err != nil {
		s.log.Warn().Err(err).Msg("Alarm tone cannot play")
	}
	return err
}

func (s loggedSound) Stop() { s.p.Stop() }

// requestAttention sets the urgency hint of the window (X11) or flashes it (Windows).
func requestAttention(w fyne.Window, log zerolog.Logger) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return
	}
	nw.RunNative(func(ctx any) {
		var err error
		switch c := ctx.(type) {
		case driver.X11WindowContext:
			err = attention.X11(c.WindowHandle)
		case driver.WindowsWindowContext:
			err = attention.Windows(c.HWND)
		default:
			err = attention.ErrUnsupported
		}
		if err != nil {
			log.Info().Err(err).Msg("Window attention not possible")
		}
	})
}
