package ui

import (
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"

	"bosmessenger/session"
)

// fileDetails is what a timeline row shows after an attachment's name: its duration (video,
// audio) and size, " (0:12, 1.2 MB)"; "" when neither is known.
func fileDetails(f *session.MessageFile) string {
	if f == nil {
		return ""
	}
	var parts []string
	if f.DurationMS > 0 {
		parts = append(parts, durationText(f.DurationMS))
	}
	if f.Size > 0 {
		parts = append(parts, humanSize(f.Size))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// durationText is a play length as players show it: "0:12", "12:05", "1:02:03" (rounded to the
// nearest second, at least 0:01).
func durationText(ms int64) string {
	s := max((ms+500)/1000, 1)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// blurCache holds decoded blurhash placeholders by hash (UI goroutine only; cleared when full).
var blurCache = map[string]image.Image{}

// blurPlaceholder is an image message's blurred placeholder (from the blurhash in its info) to
// show while the preview loads, with the size the preview will have; nil without a blurhash or
// without the image's size.
func blurPlaceholder(f *session.MessageFile) (image.Image, fyne.Size) {
	if f == nil || f.Blurhash == "" || f.Width <= 0 || f.Height <= 0 {
		return nil, fyne.Size{}
	}
	img, ok := blurCache[f.Blurhash]
	if !ok {
		if len(blurCache) >= 128 {
			clear(blurCache)
		}
		img = session.BlurhashImage(f.Blurhash, f.Width, f.Height)
		blurCache[f.Blurhash] = img
	}
	if img == nil {
		return nil, fyne.Size{}
	}
	w, h := float32(f.Width), float32(f.Height)
	if scale := min(float32(thumbnailPx)/w, float32(thumbnailPx)/h); scale < 1 {
		w, h = w*scale, h*scale
	}
	return img, fyne.NewSize(w, h)
}
