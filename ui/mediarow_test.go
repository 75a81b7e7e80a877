package ui

import (
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// A video's and an audio's row show the play length from the message's info beside the size.
func TestTimelineShowsMediaDuration(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	now := time.Now().UnixMilli()
	tl := NewTimeline("@me:x")
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(700, 800))
	tl.Set([]session.Message{
		{EventID: "$v", Sender: "@a:x", SenderName: "Anna", TS: now, Kind: "video", Body: "lage.mp4",
			File: &session.MessageFile{Name: "lage.mp4", Size: 3 << 20, DurationMS: 12345}},
		{EventID: "$a", Sender: "@a:x", SenderName: "Anna", TS: now, Kind: "audio", Body: "funk.m4a",
			File: &session.MessageFile{Name: "funk.m4a", DurationMS: 3723000}},
	}, true)
	all := strings.Join(richTexts(w.Content()), "\n")
	for _, want := range []string{T("timeline.file_video", "lage.mp4") + " (0:12, 3.0 MB)", T("timeline.file_audio", "funk.m4a") + " (1:02:03)"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
}

// While an image's preview loads, its row shows the blurred placeholder from the blurhash in
// its info, in the preview's size; once loaded, the preview itself.
func TestTimelineShowsBlurhashWhileLoading(t *testing.T) {
	test.NewTempApp(t)
	tl := NewTimeline("@me:x")
	var loaded image.Image
	tl.Thumbnail = func(id.EventID) image.Image { return loaded }
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(700, 800))
	msg := session.Message{EventID: "$i", Sender: "@a:x", SenderName: "Anna", TS: time.Now().UnixMilli(), Kind: "image",
		Body: "lage.jpg", File: &session.MessageFile{Name: "lage.jpg", Width: 640, Height: 480, Blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj"}}
	tl.Set([]session.Message{msg}, true)
	img := shownImage(w.Content())
	if img == nil || img.Image == nil || img.Image.Bounds().Dx() > 64 {
		t.Fatalf("no blurhash placeholder shown: %v", img)
	}
	if s := img.MinSize(); s.Width != thumbnailPx || s.Height != thumbnailPx*480/640 {
		t.Errorf("placeholder size %v, want the preview's %dx%d", s, thumbnailPx, thumbnailPx*480/640)
	}
	loaded = image.NewRGBA(image.Rect(0, 0, 320, 240))
	tl.Set([]session.Message{msg}, true)
	if img := shownImage(w.Content()); img == nil || img.Image != loaded {
		t.Fatal("the loaded preview does not replace the placeholder")
	}
}

// shownImage is the first visible canvas.Image under o with an image.
func shownImage(o fyne.CanvasObject) *canvas.Image {
	var found *canvas.Image
	walkVisible(o, func(o fyne.CanvasObject) bool {
		if i, ok := o.(*canvas.Image); ok && i.Image != nil && found == nil {
			found = i
		}
		return false
	})
	return found
}
