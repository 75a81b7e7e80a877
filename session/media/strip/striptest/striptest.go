// Package striptest makes image fixtures tagged by exiftool with a GPS position, camera, XMP and
// comments, and checks with exiftool that none of it is left (tests of package strip and of the
// session's sending path).
package striptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"bosmessenger/internal/testcache"
)

// gpsArgs are the exiftool arguments that tag a fixture with a position, a camera, a comment
// and XMP.
var gpsArgs = []string{
	"-GPSLatitude=52.5163", "-GPSLatitudeRef=N", "-GPSLongitude=13.3777", "-GPSLongitudeRef=E",
	"-Make=TestCam", "-Model=Secret 1", "-XMP-dc:Creator=Einsatzleiter", "-XMP-dc:Description=Wache 3",
}

// Exiftool returns the path of exiftool; the test fails (never skips) without it.
func Exiftool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("exiftool")
	testcache.Require(t, "exiftool (apt-get install libimage-exiftool-perl)", err)
	return p
}

// TestImage is a w×h gradient.
func TestImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	return img
}

// Fixture writes a w×h image of format (jpeg, png, webp or gif: an animation of two frames that
// loops, its GPS position in XMP) tagged by exiftool with a GPS position,
// camera, XMP and, for JPEG, orientation (0: none); it returns the path.
func Fixture(t testing.TB, dir, format string, w, h, orientation int) string {
	t.Helper()
	tool := Exiftool(t)
	path := filepath.Join(dir, "photo."+format)
	var buf bytes.Buffer
	switch format {
	case "jpeg":
		if err := jpeg.Encode(&buf, TestImage(w, h), nil); err != nil {
			t.Fatal(err)
		}
	case "png":
		if err := png.Encode(&buf, TestImage(w, h)); err != nil {
			t.Fatal(err)
		}
	case "webp":
		buf.Write(webpFromPNG(t, dir, TestImage(w, h)))
	case "gif":
		if err := gif.EncodeAll(&buf, animation(w, h)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-q", "-overwrite_original"}, gpsArgs...)
	if format == "png" {
		args = append(args, "-PNG:Comment=Standort Wache", "-ModifyDate=2026:01:02 03:04:05")
	} else {
		args = append(args, "-Comment=Standort Wache")
	}
	if orientation > 0 {
		args = append(args, "-Orientation#="+string(rune('0'+orientation)))
	}
	out, err := exec.Command(tool, append(args, path)...).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool failed to tag %s: %v: %s", path, err, out)
	}
	tags, gps := Tags(t, path), "EXIF:GPSLatitude"
	if format == "gif" {
		gps = "XMP:GPSLatitude" // a GIF has no EXIF
	}
	if _, ok := tags[gps]; !ok {
		t.Fatalf("fixture %s has no GPS tag: %v", format, tags)
	}
	return path
}

// animation is two w×h frames that loop forever.
func animation(w, h int) *gif.GIF {
	a := &gif.GIF{LoopCount: 0}
	for i := 0; i < 2; i++ {
		frame := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White, color.RGBA{200, 0, 0, 255}})
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				frame.SetColorIndex(x, y, uint8((x+y+i)%3))
			}
		}
		a.Image, a.Delay = append(a.Image, frame), append(a.Delay, 50)
	}
	return a
}

// webpFromPNG converts img to a lossless WebP with ImageMagick (scripts/deps.sh installs it).
func webpFromPNG(t testing.TB, dir string, img image.Image) []byte {
	t.Helper()
	tool, err := exec.LookPath("convert")
	testcache.Require(t, "ImageMagick convert", err)
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.webp")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(tool, in, "-define", "webp:lossless=true", out).CombinedOutput(); err != nil {
		t.Fatalf("convert to WebP failed: %v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Tags lists the tags exiftool finds in path, "Group:Name" -> value, without exiftool's own
// File/System/Composite/ExifTool groups (but with File:Comment, a JPEG's or GIF's comment).
func Tags(t testing.TB, path string) map[string]any {
	t.Helper()
	out, err := exec.Command(Exiftool(t), "-j", "-G", "-a", "-u", path).Output()
	if err != nil {
		t.Fatalf("exiftool failed on %s: %v", path, err)
	}
	var res []map[string]any
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 1 {
		t.Fatalf("exiftool output: %v: %s", err, out)
	}
	tags := map[string]any{}
	for k, v := range res[0] {
		g, _, _ := strings.Cut(k, ":")
		switch {
		case k == "File:Comment":
		case g == "File", g == "System", g == "Composite", g == "ExifTool", g == "SourceFile":
			continue
		}
		tags[k] = v
	}
	return tags
}

// CheckClean fails when path has any GPS, XMP, IPTC, comment or EXIF tag other than the
// orientation.
func CheckClean(t testing.TB, path string) {
	t.Helper()
	for k, v := range Tags(t, path) {
		g, name, _ := strings.Cut(k, ":")
		switch {
		case g == "EXIF" && (name == "Orientation" || name == "ExifByteOrder"):
		case g == "JFIF", g == "PNG", g == "RIFF", g == "GIF", g == "ICC_Profile", g == "APP14", g == "Adobe":
			// Structural tags of the format stay; none may carry what the fixture wrote.
			s := strings.ToLower(fmt.Sprint(v))
			for _, leak := range []string{"testcam", "secret", "einsatz", "wache", "2026", "exif", "xmp"} {
				if strings.Contains(s, leak) {
					t.Errorf("%s: tag %s=%v is left", filepath.Base(path), k, v)
				}
			}
		default:
			t.Errorf("%s: tag %s=%v is left", filepath.Base(path), k, v)
		}
	}
}

// CheckDecodes fails t unless the image at path decodes (its format's decoder must be registered
// in the test binary) and is w x h pixels.
func CheckDecodes(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s does not decode: %v", filepath.Base(path), err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s is %dx%d, want %dx%d", filepath.Base(path), b.Dx(), b.Dy(), w, h)
	}
}
