package strip

import (
	"io"
	"runtime"
	"testing"
)

// hugeJPEG is a JPEG of size bytes made up on the fly: SOI, an EXIF APP1, a scan of 0x11 bytes
// and EOI, so a file far larger than the memory the test may use can be stripped.
type hugeJPEG struct {
	head []byte
	size int64
}

func newHugeJPEG(size int64) *hugeJPEG {
	head := []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E', 'x', 'i', 'f', 0, 0, 'G', 'P', 'S', '!', '!', '!', '!', '!'}
	head = append(head, 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0)
	return &hugeJPEG{head: head, size: size}
}

func (h *hugeJPEG) ReadAt(p []byte, off int64) (int, error) {
	if off >= h.size {
		return 0, io.EOF
	}
	n := 0
	for ; n < len(p) && off < h.size; n, off = n+1, off+1 {
		switch {
		case off < int64(len(h.head)):
			p[n] = h.head[off]
		case off == h.size-2:
			p[n] = 0xFF
		case off == h.size-1:
			p[n] = 0xD9
		default:
			p[n] = 0x11
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Stripping and streaming a 100 MB JPEG allocates a few hundred KiB, not the file.
func TestStripMemoryBounded(t *testing.T) {
	const size = 100 << 20
	src := newHugeJPEG(size)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := Strip(src, size)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, p.Reader())
	runtime.ReadMemStats(&after)
	if err != nil || n != p.Size() || p.Size() != size-18 || p.Removed != 1 {
		t.Fatalf("copied %d of %d bytes (removed %d): %v", n, p.Size(), p.Removed, err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("stripping %d MB allocated %d KiB", size>>20, grew>>10)
	}
}
