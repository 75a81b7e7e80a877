package ui

import (
	"fyne.io/fyne/v2/widget"
)

// newStripMetadataCheck is the setting "remove location and camera data from images": on by
// default, locked (checked and disabled) where the policy enforces it (strip_media_metadata, BOS
// mode). A change applies at once and is kept in prefs for the next start.
func newStripMetadataCheck(s Engine, prefs *Prefs) *widget.Check {
	on, enforced := s.MediaMetadataStripping()
	check := widget.NewCheck(T("settings.security.strip_media_metadata"), nil)
	check.SetChecked(on)
	check.OnChanged = func(strip bool) {
		if err := s.SetKeepMediaMetadata(!strip); err != nil {
			check.SetChecked(true)
			return
		}
		if prefs != nil {
			prefs.SetKeepMediaMetadata(!strip)
		}
	}
	if enforced {
		check.Disable()
	}
	return check
}
