package session

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"bosmessenger/session/policy"
)

func policyOf(t *testing.T, doc string) *Enforcer {
	t.Helper()
	src, err := policy.ParseJSON("test-policy.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Resolve(src)
	if err != nil {
		t.Fatal(err)
	}
	return NewEnforcer(p)
}

// Removing image metadata is on by default; the user can turn it off unless strip_media_metadata
// or BOS mode enforces it (even when the policy sets the key to false in BOS mode).
func TestMediaMetadataPolicy(t *testing.T) {
	for _, c := range []struct {
		name     string
		pol      Policy
		enforced bool
	}{
		{"no policy", AllowAll{}, false},
		{"key off", policyOf(t, `{"managed": {"strip_media_metadata": false}}`), false},
		{"key on", policyOf(t, `{"managed": {"strip_media_metadata": true}}`), true},
		{"BOS mode", policyOf(t, `{"managed": {"bos_mode": true}}`), true},
		{"BOS mode, key off", policyOf(t, `{"managed": {"bos_mode": true, "strip_media_metadata": false}}`), true},
	} {
		s := &Session{cfg: Config{Policy: c.pol}}
		if on, enforced := s.MediaMetadataStripping(); !on || enforced != c.enforced {
			t.Errorf("%s: on %v enforced %v, want on, enforced %v", c.name, on, enforced, c.enforced)
		}
		err := s.SetKeepMediaMetadata(true)
		on, _ := s.MediaMetadataStripping()
		if c.enforced {
			if !errors.Is(err, ErrMediaMetadataEnforced) || !errors.Is(err, ErrPolicyDenied) || !on {
				t.Errorf("%s: keeping metadata: %v, still on %v", c.name, err, on)
			}
		} else if err != nil || on {
			t.Errorf("%s: keeping metadata: %v, still on %v", c.name, err, on)
		}
		keepMetadata.Delete(s)
	}
}

// orient turns a stored image upright: the top-left pixel lands where EXIF says.
func TestOrient(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.Set(0, 0, color.RGBA{255, 0, 0, 255})
	for o, want := range map[int]image.Point{1: {0, 0}, 2: {2, 0}, 3: {2, 1}, 4: {0, 1}, 5: {0, 0}, 6: {1, 0}, 7: {1, 2}, 8: {0, 2}} {
		img := orient(src, o)
		b := img.Bounds()
		if o >= 5 && (b.Dx() != 2 || b.Dy() != 3) || o < 5 && (b.Dx() != 3 || b.Dy() != 2) {
			t.Errorf("orientation %d: %v", o, b)
		}
		if r, _, _, _ := img.At(want.X, want.Y).RGBA(); r != 0xffff {
			t.Errorf("orientation %d: the top-left pixel is not at %v", o, want)
		}
	}
}

// A JPEG stored sideways with EXIF orientation 6 (as phones and our own stripped photos keep it)
// shows upright in the timeline's preview.
func TestMakeThumbnailOrientation(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 40, 20)), nil); err != nil {
		t.Fatal(err)
	}
	app1 := []byte{0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0x00, 0x2A, 0, 0, 0, 8,
		0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0}
	data := append(append([]byte{0xFF, 0xD8}, app1...), buf.Bytes()[2:]...)
	for _, px := range []int{320, 10} {
		img, err := makeThumbnail(data, px)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() >= b.Dy() {
			t.Errorf("max %d px: preview %dx%d, want upright (taller than wide)", px, b.Dx(), b.Dy())
		}
	}
}
