package session

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // WebP size and thumbnails
	"maunium.net/go/mautrix/crypto/attachment"
	"maunium.net/go/mautrix/event"

	"bosmessenger/session/media/strip"
)

// Thumbnails sent with an image, as Element makes them: at most 800×600, only for images over
// 32 KiB and only when the thumbnail is at least 10 % smaller than the image.
const (
	thumbMaxW, thumbMaxH = 800, 600
	thumbMinSource       = 32 << 10
	thumbJPEGQuality     = 80
)

// mediaInfo is the message's info: size and MIME type, and for an image its displayed width and
// height (EXIF orientation applied), a blurhash and a thumbnail, uploaded encrypted with its own key in an
// encrypted room (thumbnail_file) or plain (thumbnail_url). A thumbnail that cannot be made is
// left out; only a failed upload of a made one is an error.
func (s *Session) mediaInfo(ctx context.Context, o *outgoing, encrypted bool) (*event.FileInfo, error) {
	info := &event.FileInfo{MimeType: o.mimeType, Size: int(o.size)}
	if isMP4Type(o.mimeType) {
		if d, ok := mp4Duration(o.open()); ok {
			info.Duration = int(d.Milliseconds())
		}
	}
	switch o.format {
	case strip.JPEG, strip.PNG, strip.WebP, strip.GIF:
	default:
		if o.mimeType != "image/gif" {
			return info, nil
		}
	}
	cfg, _, err := image.DecodeConfig(o.open())
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return info, nil
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	if o.orientation >= 5 { // rotated by 90° one way or the other
		info.Width, info.Height = cfg.Height, cfg.Width
	}
	if o.size > MaxThumbnailSource || float64(cfg.Width)*float64(cfg.Height) > MaxImagePixels {
		return info, nil
	}
	src, _, err := image.Decode(o.open())
	if err != nil {
		return info, nil
	}
	info.AnoaBlurhash = imageBlurhash(src, o.orientation) // blurhash.go
	if o.size <= thumbMinSource {
		return info, nil
	}
	thumb, mimeType, w, h, err := makeSendThumbnail(o, src)
	if err != nil || int64(len(thumb)) > o.size*9/10 {
		return info, nil
	}
	tinfo := &event.FileInfo{MimeType: mimeType, Size: len(thumb), Width: w, Height: h}
	body, uploadType := thumb, mimeType
	var file *attachment.EncryptedFile
	if encrypted {
		file = attachment.NewEncryptedFile()
		file.EncryptInPlace(thumb)
		uploadType = "application/octet-stream"
	}
	uri, err := s.upload(ctx, bytes.NewReader(body), int64(len(body)), uploadType)
	if err != nil {
		return nil, fmt.Errorf("%w; nothing was sent", s.uploadError(o.name+" (thumbnail)", err))
	}
	info.ThumbnailInfo = tinfo
	if file != nil {
		info.ThumbnailFile = &event.EncryptedFileInfo{EncryptedFile: *file, URL: uri.CUString()}
	} else {
		info.ThumbnailURL = uri.CUString()
	}
	return info, nil
}

// makeSendThumbnail scales the decoded image src to fit 800×600 and turns it upright: PNG for a
// PNG (transparency), JPEG otherwise.
func makeSendThumbnail(o *outgoing, src image.Image) (data []byte, mimeType string, w, h int, err error) {
	// Scaled first, then turned: turning the small image is cheap.
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	ow, oh := sw, sh
	if o.orientation >= 5 {
		ow, oh = sh, sw
	}
	if scale := min(float64(thumbMaxW)/float64(ow), float64(thumbMaxH)/float64(oh)); scale < 1 {
		sw, sh = max(1, int(float64(sw)*scale)), max(1, int(float64(sh)*scale))
	}
	scaled := image.NewRGBA(image.Rect(0, 0, sw, sh))
	draw.ApproxBiLinear.Scale(scaled, scaled.Bounds(), src, b, draw.Src, nil)
	dst := orient(scaled, o.orientation)
	w, h = dst.Bounds().Dx(), dst.Bounds().Dy()
	var buf bytes.Buffer
	if o.format == strip.PNG {
		mimeType, err = "image/png", png.Encode(&buf, dst)
	} else {
		mimeType, err = "image/jpeg", jpeg.Encode(&buf, dst, &jpeg.Options{Quality: thumbJPEGQuality})
	}
	return buf.Bytes(), mimeType, w, h, err
}

// orient applies an EXIF orientation (2-8) to img.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // 180°
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored vertically
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // 90° clockwise
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // 90° counter-clockwise
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}
