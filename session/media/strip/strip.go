// Package strip removes metadata (EXIF with its GPS position, XMP, IPTC, comments, text chunks)
// from JPEG, PNG, WebP and GIF images before they are sent, without re-encoding the image data.
//
// Strip reads the file through an io.ReaderAt and returns a Plan: which byte ranges of the
// original to send, plus a few small rewritten headers. The Plan's Reader streams the result, so
// memory use does not depend on the file's size (only single metadata segments of at most 64 KiB
// are read into memory). Kept is a whitelist: what is needed to show the image correctly stays
// (JPEG: JFIF APP0, the ICC profile, Adobe APP14; PNG: critical and colour/animation chunks;
// WebP: image, alpha, animation and ICC chunks; GIF: images, colour tables, graphic control and
// plain text extensions, the loop count); everything else, including comments, XMP, unknown
// segments and data after the image's end marker, is dropped.
//
// JPEG orientation: a photo taken upright on a phone is often stored sideways with an EXIF
// orientation tag. Dropping that tag would show the photo rotated, and applying it would mean
// decoding and re-encoding the whole image. So when the orientation is not 1, a new minimal EXIF
// segment that holds only the orientation tag replaces the original EXIF (no GPS, no camera, no
// time); Plan.Orientation reports it.
//
// HEIC, HEIF, AVIF and TIFF (including camera RAW files) carry EXIF in formats this package does
// not rewrite: Strip returns ErrUnsupported for them, and the caller decides (the session refuses
// to send them while stripping is on). Other files (documents, audio, video) are returned
// unchanged with Format None.
package strip

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Format is the image format Strip recognised.
type Format string

// Formats.
const (
	None Format = ""     // not an image format Strip touches: passed on unchanged
	JPEG Format = "jpeg" // image/jpeg
	PNG  Format = "png"  // image/png
	WebP Format = "webp" // image/webp
	GIF  Format = "gif"  // image/gif
	HEIF Format = "heif" // HEIC, HEIF, AVIF: not supported
	TIFF Format = "tiff" // TIFF and TIFF-based RAW: not supported
)

// Errors.
var (
	// ErrUnsupported: the file is an image format whose metadata Strip cannot remove.
	ErrUnsupported = errors.New("removing metadata from this image format is not supported")
	// ErrMalformed: the file claims to be a JPEG, PNG, WebP or GIF but its structure is broken.
	ErrMalformed = errors.New("malformed image")
)

// part is either literal bytes or the range [off, off+n) of the source.
type part struct {
	lit    []byte
	off, n int64
}

// Plan is the stripped file: the parts to send in order.
type Plan struct {
	Format Format
	// Orientation is the JPEG's EXIF orientation (1-8) that was kept, 0 when there was none or it
	// was 1.
	Orientation int
	// Removed counts the metadata segments or chunks that were dropped.
	Removed int
	src     io.ReaderAt
	parts   []part
	size    int64
}

// Size is the number of bytes Reader yields.
func (p *Plan) Size() int64 { return p.size }

// Changed reports whether the stripped file differs from the original.
func (p *Plan) Changed() bool { return p.Removed > 0 }

// Reader streams the stripped file; each call starts from the beginning.
func (p *Plan) Reader() io.Reader {
	rs := make([]io.Reader, 0, len(p.parts))
	for _, pt := range p.parts {
		if pt.lit != nil {
			rs = append(rs, bytes.NewReader(pt.lit))
		} else {
			rs = append(rs, io.NewSectionReader(p.src, pt.off, pt.n))
		}
	}
	return io.MultiReader(rs...)
}

func (p *Plan) keep(off, n int64) {
	if n <= 0 {
		return
	}
	p.size += n
	if k := len(p.parts) - 1; k >= 0 && p.parts[k].lit == nil && p.parts[k].off+p.parts[k].n == off {
		p.parts[k].n += n
		return
	}
	p.parts = append(p.parts, part{off: off, n: n})
}

func (p *Plan) literal(b []byte) {
	p.size += int64(len(b))
	p.parts = append(p.parts, part{lit: b})
}

// Detect names the format of a file from its first bytes (at least 12 are needed).
func Detect(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.HasPrefix(head, pngSignature):
		return PNG
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP
	case bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")):
		return GIF
	case bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && heifBrands[string(head[8:12])]:
		return HEIF
	}
	return None
}

var heifBrands = map[string]bool{
	"heic": true, "heix": true, "hevc": true, "hevx": true, "heim": true, "heis": true, "hevm": true,
	"hevs": true, "mif1": true, "msf1": true, "avif": true, "avis": true, "mif2": true,
}

// Strip plans the stripped version of the size bytes of r (see the package doc).
func Strip(r io.ReaderAt, size int64) (*Plan, error) {
	head := make([]byte, 16)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("failed to read the file: %w", err)
	}
	head, err = head[:min(int64(n), size)], nil
	p := &Plan{Format: Detect(head), src: r}
	switch p.Format {
	case JPEG:
		err = stripJPEG(p, r, size)
	case PNG:
		err = stripPNG(p, r, size)
	case WebP:
		err = stripWebP(p, r, size)
	case GIF:
		err = stripGIF(p, r, size)
	case HEIF, TIFF:
		return nil, fmt.Errorf("%w (%s)", ErrUnsupported, p.Format)
	default:
		p.keep(0, size)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %v", ErrMalformed, p.Format, err)
	}
	return p, nil
}

// readAt reads exactly n bytes at off (n is bounded by the callers).
func readAt(r io.ReaderAt, off int64, n int) ([]byte, error) {
	b := make([]byte, n)
	got, err := r.ReadAt(b, off)
	if got == n {
		return b, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}
