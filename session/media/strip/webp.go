package strip

import (
	"encoding/binary"
	"fmt"
	"io"
)

// webpKeep are the RIFF chunks kept; EXIF, "XMP " and unknown chunks are dropped.
var webpKeep = map[string]bool{
	"VP8 ": true, "VP8L": true, "VP8X": true, "ALPH": true, "ANIM": true, "ANMF": true, "ICCP": true,
}

// VP8X flags of the metadata chunks.
const (
	vp8xEXIF = 0x08
	vp8xXMP  = 0x04
)

// stripWebP rewrites the RIFF header (its size) and the VP8X flags, and keeps the whitelisted
// chunks verbatim; data after the RIFF's declared end is dropped.
func stripWebP(p *Plan, r io.ReaderAt, size int64) error {
	h, err := readAt(r, 0, 12)
	if err != nil {
		return err
	}
	end := 8 + int64(binary.LittleEndian.Uint32(h[4:8]))
	if end > size || end < 12 {
		return fmt.Errorf("RIFF size %d does not fit the file of %d bytes", end-8, size)
	}
	if end < size {
		p.Removed++
	}
	riff := append([]byte(nil), h...)
	p.literal(riff)
	var body int64 = 4 // "WEBP"
	for off := int64(12); off < end; {
		ch, err := readAt(r, off, 8)
		if err != nil || off+8 > end {
			return fmt.Errorf("truncated chunk header at offset %d", off)
		}
		typ := string(ch[:4])
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		total := 8 + n + n&1
		if off+8+n > end {
			return fmt.Errorf("chunk %q at offset %d runs past the end", typ, off)
		}
		total = min(total, end-off) // a missing pad byte at the very end is tolerated
		switch {
		case typ == "VP8X":
			if n < 10 || n > 1<<10 {
				return fmt.Errorf("VP8X chunk of %d bytes", n)
			}
			x, err := readAt(r, off, int(total))
			if err != nil {
				return err
			}
			x[8] &^= vp8xEXIF | vp8xXMP
			p.literal(x)
		case webpKeep[typ]:
			p.keep(off, total)
		default:
			p.Removed++
			off += total
			continue
		}
		body += total
		off += total
	}
	binary.LittleEndian.PutUint32(riff[4:8], uint32(body))
	return nil
}
