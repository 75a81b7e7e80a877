package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	qrcode "github.com/skip2/go-qrcode"
)

// qrImage renders a verification QR code payload (binary, encoded in byte mode) as an image with
// a quiet zone; nil when the payload cannot be encoded.
func qrImage(payload []byte) image.Image {
	q, err := qrcode.New(string(payload), qrcode.Medium)
	if err != nil {
		return nil
	}
	return q.Image(256)
}

// newQRView shows a QR code at a fixed size, crisp (no smoothing).
func newQRView(img image.Image) *canvas.Image {
	c := canvas.NewImageFromImage(img)
	c.FillMode = canvas.ImageFillContain
	c.ScaleMode = canvas.ImageScalePixels
	c.SetMinSize(fyne.NewSize(220, 220))
	return c
}
