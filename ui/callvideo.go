package ui

import (
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// videoRefresh bounds how often the call's video picture is replaced (the engine decodes about
// two pictures a second, see callmedia.KeyFrameInterval).
const videoRefresh = 250 * time.Millisecond

// videoMinSize is the least size of the video in the call bar.
var videoMinSize = fyne.NewSize(320, 240)

// CallVideo shows the other side's video in the call bar: hidden until the first picture
// arrives, then the newest picture, scaled to fit. Its methods run on the UI goroutine; a
// ticker reads pictures off it.
type CallVideo struct {
	img   *canvas.Image
	view  *fyne.Container
	shown uint64 // the engine's picture count of the picture shown
	stop  chan struct{}
}

func newCallVideo() *CallVideo {
	v := &CallVideo{img: canvas.NewImageFromImage(nil)}
	v.img.FillMode = canvas.ImageFillContain
	v.img.ScaleMode = canvas.ImageScaleFastest
	v.img.SetMinSize(videoMinSize)
	v.view = container.NewStack(v.img)
	v.view.Hide()
	return v
}

// View is the video's canvas object.
func (v *CallVideo) View() fyne.CanvasObject { return v.view }

// Image is the picture shown (for tests).
func (v *CallVideo) Image() *canvas.Image { return v.img }

// Shown is the engine's count of the picture shown, 0 before the first (for tests).
func (v *CallVideo) Shown() uint64 { return v.shown }

// start follows the video of callID: every videoRefresh it asks frames (off the UI goroutine)
// for the newest picture and shows a new one.
func (v *CallVideo) start(callID string, frames func(callID string) (image.Image, uint64)) {
	v.Hide()
	if frames == nil {
		return
	}
	stop := make(chan struct{})
	v.stop = stop
	go func() {
		t := time.NewTicker(videoRefresh)
		defer t.Stop()
		var last uint64
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			img, n := frames(callID)
			if img == nil || n == last {
				continue
			}
			last = n
			do(func() {
				select {
				case <-stop:
					return
				default:
				}
				v.img.Image = img
				v.shown = n
				v.view.Show()
				v.img.Refresh()
			})
		}
	}()
}

// Hide stops following the video and hides it.
func (v *CallVideo) Hide() {
	if v.stop != nil {
		close(v.stop)
		v.stop = nil
	}
	v.img.Image = nil
	v.shown = 0
	v.view.Hide()
}

// newVideo makes the call bar's video view.
func (b *CallBar) newVideo() fyne.CanvasObject {
	b.video = newCallVideo()
	return b.video.View()
}

// Video is the call bar's video of the other side (for tests).
func (b *CallBar) Video() *CallVideo { return b.video }
