package session

import (
	"image"

	"github.com/buckket/go-blurhash"
	"golang.org/x/image/draw"
)

// Blurhash (https://blurha.sh), sent as info["xyz.amorgan.blurhash"] as Element does: a few
// dozen characters that a receiver turns into a blurred placeholder while the image loads.
const (
	blurhashX, blurhashY = 4, 3 // components, as Element
	blurhashSample       = 32   // the image is scaled to fit this many pixels first (cheap)
	blurhashMaxSide      = 64   // BlurhashImage never makes a larger placeholder
)

// imageBlurhash is the blurhash of img turned upright by the EXIF orientation o ("" on failure).
func imageBlurhash(img image.Image, o int) string {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return ""
	}
	if w >= h {
		w, h = blurhashSample, max(1, h*blurhashSample/w)
	} else {
		w, h = max(1, w*blurhashSample/h), blurhashSample
	}
	small := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	hash, err := blurhash.Encode(blurhashX, blurhashY, orient(small, o))
	if err != nil {
		return ""
	}
	return hash
}

// BlurhashImage decodes a received blurhash into a small placeholder with the aspect ratio of
// width × height (the image's size from its info; 0 for unknown gives a square); nil for an
// invalid hash.
func BlurhashImage(hash string, width, height int) image.Image {
	if hash == "" {
		return nil
	}
	w, h := blurhashMaxSide, blurhashMaxSide
	if width > 0 && height > 0 {
		if width >= height {
			h = max(1, height*blurhashMaxSide/width)
		} else {
			w = max(1, width*blurhashMaxSide/height)
		}
	}
	img, err := blurhash.Decode(hash, w, h, 1)
	if err != nil {
		return nil
	}
	return img
}
