package session

import (
	"bytes"
	"container/list"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func pngOf(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMakeThumbnail(t *testing.T) {
	img, err := makeThumbnail(pngOf(t, 800, 400), 320)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 160 {
		t.Fatalf("scaled to %v, want 320×160", b)
	}
	img, err = makeThumbnail(pngOf(t, 40, 90), 320)
	if err != nil || img.Bounds().Dx() != 40 || img.Bounds().Dy() != 90 {
		t.Fatalf("small image must stay: %v %v", err, img.Bounds())
	}
	if _, err := makeThumbnail([]byte("kein Bild"), 320); !errors.Is(err, ErrNotAnImage) {
		t.Fatalf("garbage: %v", err)
	}
	// A tiny PNG that claims a huge canvas is refused before decoding.
	huge := pngOf(t, 1, 1)
	copy(huge[16:24], []byte{0, 0, 0x9c, 0x40, 0, 0, 0x9c, 0x40}) // IHDR 40000×40000 (CRC now wrong)
	if _, err := makeThumbnail(huge, 320); !errors.Is(err, ErrNotAnImage) {
		t.Fatalf("pixel bomb: %v", err)
	}
}

func FuzzMakeThumbnail(f *testing.F) {
	f.Add(pngOf(f, 3, 2))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("\xff\xd8\xff\xe0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := makeThumbnail(data, 64)
		if err == nil && (img.Bounds().Dx() > 64 || img.Bounds().Dy() > 64) {
			t.Fatalf("thumbnail %v larger than 64", img.Bounds())
		}
	})
}

func TestThumbCacheEvicts(t *testing.T) {
	c := &thumbCache{order: list.New(), items: map[thumbKey]*list.Element{}, imgs: map[thumbKey]image.Image{}}
	for i := range thumbCacheSize + 5 {
		c.put(thumbKey{px: i}, image.NewRGBA(image.Rect(0, 0, 1, 1)))
	}
	if len(c.imgs) != thumbCacheSize {
		t.Fatalf("%d cached, want %d", len(c.imgs), thumbCacheSize)
	}
	if _, ok := c.get(thumbKey{px: 0}); ok {
		t.Fatal("oldest not evicted")
	}
	if _, ok := c.get(thumbKey{px: thumbCacheSize + 4}); !ok {
		t.Fatal("newest missing")
	}
}
