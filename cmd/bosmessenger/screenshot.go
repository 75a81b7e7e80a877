package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"github.com/rs/zerolog"

	"bosmessenger/internal/capture"
)

// protectWindow keeps w out of screenshots (policy screenshot_protection) once it has a native
// window: on Windows with SetWindowDisplayAffinity; elsewhere it logs that this is not possible
// (the policy warns as well).
func protectWindow(w fyne.Window, log zerolog.Logger) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		log.Warn().Msg("Screenshot protection: no native window")
		return
	}
	nw.RunNative(func(ctx any) {
		wc, ok := ctx.(driver.WindowsWindowContext)
		if !ok {
			log.Warn().Err(capture.ErrUnsupported).Msg("Screenshot protection not possible")
			return
		}
		if err := capture.ExcludeWindow(wc.HWND); err != nil {
			log.Error().Err(err).Msg("Screenshot protection failed")
			return
		}
		log.Info().Msg("Window excluded from screen capture")
	})
}
