package ui

import (
	"image"

	"maunium.net/go/mautrix/id"
)

// thumbnailPx is the longest side of image previews in the timeline.
const thumbnailPx = 320

// thumbnail returns a loaded preview, or starts loading it (once) and returns nil.
func (a *App) thumbnail(ev id.EventID) image.Image {
	if img, ok := a.thumbs[ev]; ok {
		return img
	}
	if len(a.thumbs) > 200 {
		clear(a.thumbs) // the session keeps its own cache; this map only avoids repeated requests
	}
	a.thumbs[ev] = nil
	go func() {
		img, err := a.s.Thumbnail(a.ctx, ev, thumbnailPx)
		if err != nil {
			return // the row keeps its text ("Bild: name"); saving the file still works
		}
		do(func() {
			a.thumbs[ev] = img
			a.timeline.list.Refresh()
		})
	}()
	return nil
}

func (a *App) traceShown(ev id.EventID) {
	if !a.shownID[ev] {
		a.shownID[ev] = true
		Trace("event_shown event=%s", ev)
	}
}
