package ui

import (
	"image"
	"image/color"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// The call bar shows the other side's video once pictures arrive: hidden before the first,
// then the newest picture, drawn with non-blank pixels; it hides with the bar.
func TestCallBarShowsVideo(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	b := newCallBar()
	w := test.NewTempWindow(t, b.View())
	var count atomic.Uint64
	pic := testPicture(160, 120)
	b.VideoFrame = func(string) (image.Image, uint64) {
		n := count.Load()
		if n == 0 {
			return nil, 0
		}
		return pic, n
	}
	noDevices := func() (mics, speakers []callmedia.AudioDevice) { return nil, nil }
	noStats := func(string) (float64, float64) { return 0, 0 }
	b.start(session.CallInfo{CallID: "c1", State: call.StateConnected}, "Anna", noDevices, noStats)
	q.drain()
	if b.Video().View().Visible() {
		t.Fatal("video shown before a picture arrived")
	}
	count.Store(1)
	q.until(t, "the first picture", func() bool { return b.Video().Shown() == 1 && b.Video().View().Visible() })
	w.Resize(w.Content().MinSize())
	if !nonBlankCapture(w.Canvas().Capture(), fyne.CurrentApp().Driver().AbsolutePositionForObject(b.Video().View()), b.Video().View().Size()) {
		t.Fatal("the video area has no picture")
	}
	count.Store(2)
	q.until(t, "the next picture", func() bool { return b.Video().Shown() == 2 })
	b.Hide()
	if b.Video().View().Visible() || b.Video().Shown() != 0 {
		t.Fatal("video still shown after the call")
	}
}

// testPicture is a picture of colour bars.
func testPicture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bars := []color.RGBA{{255, 255, 255, 255}, {255, 0, 0, 255}, {0, 200, 0, 255}, {0, 0, 255, 255}}
	for y := range h {
		for x := range w {
			img.Set(x, y, bars[x*len(bars)/w])
		}
	}
	return img
}

// nonBlankCapture tells whether the area at pos of size in a captured canvas shows the test
// picture's red, green and blue bars.
func nonBlankCapture(img image.Image, pos fyne.Position, size fyne.Size) bool {
	var red, green, blue bool
	for y := int(pos.Y); y < int(pos.Y+size.Height); y += 2 {
		for x := int(pos.X); x < int(pos.X+size.Width); x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			red = red || (r > 200 && g < 60 && b < 60)
			green = green || (g > 150 && r < 60 && b < 60)
			blue = blue || (b > 200 && r < 60 && g < 60)
		}
	}
	return red && green && blue
}
