package strip

import (
	"bytes"
	"image"
	"image/gif"
	"io"
	"os"
	"strings"
	"testing"

	_ "golang.org/x/image/webp" // decoding check of the stripped WebP

	"bosmessenger/session/media/strip/striptest"
)

func testImage(w, h int) image.Image { return striptest.TestImage(w, h) }

func stripFile(t *testing.T, path string) (string, *Plan) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	p, err := Strip(f, st.Size())
	if err != nil {
		t.Fatalf("Strip(%s): %v", path, err)
	}
	out, err := io.ReadAll(p.Reader())
	if err != nil || int64(len(out)) != p.Size() {
		t.Fatalf("read %d of %d bytes: %v", len(out), p.Size(), err)
	}
	dst := path + ".stripped"
	if err := os.WriteFile(dst, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst, p
}

func TestStripRemovesGPSExiftool(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"jpeg", "png", "webp", "gif"} {
		t.Run(format, func(t *testing.T) {
			src := striptest.Fixture(t, dir, format, 64, 48, 0)
			dst, p := stripFile(t, src)
			if !p.Changed() || p.Orientation != 0 {
				t.Errorf("plan: removed %d, orientation %d", p.Removed, p.Orientation)
			}
			striptest.CheckClean(t, dst)
			striptest.CheckDecodes(t, dst, 64, 48)
			if format == "gif" {
				checkAnimation(t, dst)
			}
			// Stripping what is already stripped changes nothing.
			again, p2 := stripFile(t, dst)
			if p2.Changed() {
				t.Errorf("second strip removed %d more", p2.Removed)
			}
			a, _ := os.ReadFile(dst)
			b, _ := os.ReadFile(again)
			if !bytes.Equal(a, b) {
				t.Error("second strip changed the bytes")
			}
		})
	}
}

func TestStripKeepsOnlyOrientation(t *testing.T) {
	dir := t.TempDir()
	src := striptest.Fixture(t, dir, "jpeg", 40, 30, 6)
	dst, p := stripFile(t, src)
	if p.Orientation != 6 {
		t.Fatalf("orientation %d, want 6", p.Orientation)
	}
	striptest.CheckClean(t, dst)
	if o := striptest.Tags(t, dst)["EXIF:Orientation"]; o == nil || !strings.Contains(o.(string), "90") {
		t.Errorf("orientation tag %v, want Rotate 90 CW", o)
	}
	striptest.CheckDecodes(t, dst, 40, 30)
}

func TestStripUnsupportedAndPassThrough(t *testing.T) {
	heic := append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 20)...)
	if _, err := Strip(bytes.NewReader(heic), int64(len(heic))); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("HEIC: %v", err)
	}
	doc := []byte("%PDF-1.4 hello")
	p, err := Strip(bytes.NewReader(doc), int64(len(doc)))
	if err != nil || p.Format != None || p.Changed() {
		t.Fatalf("PDF: %v %+v", err, p)
	}
	out, _ := io.ReadAll(p.Reader())
	if !bytes.Equal(out, doc) {
		t.Error("a document was changed")
	}
}

// checkAnimation fails unless the GIF at path still has its two frames and loops forever.
func checkAnimation(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatalf("the stripped GIF does not decode: %v", err)
	}
	if len(a.Image) != 2 || a.LoopCount != 0 {
		t.Errorf("stripped GIF: %d frames, loop count %d; want 2 frames looping forever", len(a.Image), a.LoopCount)
	}
}
