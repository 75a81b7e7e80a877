package strip

import (
	"bytes"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
)

// fuzzStrip checks that Strip never panics and that an accepted plan yields exactly Size bytes
// of the same format, which strip again without error.
func fuzzStrip(t *testing.T, data []byte) {
	p, err := Strip(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return
	}
	out, err := io.ReadAll(p.Reader())
	if err != nil || int64(len(out)) != p.Size() {
		t.Fatalf("read %d of %d bytes: %v", len(out), p.Size(), err)
	}
	if p.Format == None {
		if !bytes.Equal(out, data) {
			t.Fatal("a file of no known format was changed")
		}
		return
	}
	p2, err := Strip(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatalf("the stripped %s does not strip again: %v", p.Format, err)
	}
	if p2.Format != p.Format {
		t.Fatalf("format %s became %s", p.Format, p2.Format)
	}
}

func seed(f *testing.F, w, h int) {
	var j, p bytes.Buffer
	_ = jpeg.Encode(&j, testImage(w, h), nil)
	_ = png.Encode(&p, testImage(w, h))
	exif := append([]byte{0xFF, 0xD8}, orientationAPP1(6)...)
	f.Add(append(exif, j.Bytes()[2:]...))
	f.Add(p.Bytes())
	// A minimal VP8X WebP with EXIF and XMP chunks.
	webp := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
		"VP8L\x05\x00\x00\x00\x2f\x00\x00\x00\x00\x00EXIF\x02\x00\x00\x00abXMP \x01\x00\x00\x00x\x00")
	webp[4] = byte(len(webp) - 8)
	f.Add(webp)
}

func FuzzStripJPEG(f *testing.F) {
	seed(f, 8, 8)
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD9})
	f.Fuzz(fuzzStrip)
}

func FuzzStripPNG(f *testing.F) {
	seed(f, 4, 4)
	f.Add(append(append([]byte(nil), pngSignature...), "\x00\x00\x00\x00IEND\xae\x42\x60\x82"...))
	f.Fuzz(fuzzStrip)
}

func FuzzStripWebP(f *testing.F) {
	seed(f, 2, 2)
	f.Add([]byte("RIFF\x04\x00\x00\x00WEBP"))
	f.Fuzz(fuzzStrip)
}

func FuzzStripGIF(f *testing.F) {
	var g bytes.Buffer
	_ = gif.Encode(&g, testImage(3, 3), nil)
	f.Add(g.Bytes())
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00!\xfe\x02hi\x00!\xff\x0bXMP DataXMP\x01x\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"))
	f.Fuzz(fuzzStrip)
}
