package strip

import (
	"fmt"
	"io"
)

// gifKeepApps are the application extensions kept (by their 11-byte identifier): the loop count
// of an animation. Every other application extension (XMP "XMP DataXMP", ICC, private data) and
// every comment extension is dropped.
var gifKeepApps = map[string]bool{"NETSCAPE2.0": true, "ANIMEXTS1.0": true}

// GIF block introducers and extension labels.
const (
	gifExtension   = 0x21
	gifImage       = 0x2C
	gifTrailer     = 0x3B
	gifGraphicCtl  = 0xF9
	gifPlainText   = 0x01
	gifApplication = 0xFF
)

// stripGIF keeps the header, the colour tables, the images, graphic control and plain text
// extensions and the loop count, verbatim; comment and other application extensions (where XMP
// lives) and anything after the trailer are dropped.
func stripGIF(p *Plan, r io.ReaderAt, size int64) error {
	h, err := readAt(r, 0, 13) // header and logical screen descriptor
	if err != nil {
		return err
	}
	off := int64(13)
	if h[10]&0x80 != 0 {
		off += 3 << (int(h[10]&7) + 1) // global colour table
	}
	if off > size {
		return fmt.Errorf("colour table runs past the end")
	}
	p.keep(0, off)
	for {
		b, err := readAt(r, off, 1)
		if err != nil {
			return err
		}
		switch b[0] {
		case gifTrailer:
			p.keep(off, 1)
			if off+1 < size {
				p.Removed++ // trailing data
			}
			return nil
		case gifImage:
			d, err := readAt(r, off, 11) // descriptor and LZW minimum code size
			if err != nil {
				return err
			}
			n := int64(11)
			if d[9]&0x80 != 0 {
				n += 3 << (int(d[9]&7) + 1) // local colour table
			}
			end, err := gifSubBlocks(r, off+n, size)
			if err != nil {
				return err
			}
			p.keep(off, end-off)
			off = end
		case gifExtension:
			l, err := readAt(r, off+1, 1)
			if err != nil {
				return err
			}
			end, err := gifSubBlocks(r, off+2, size)
			if err != nil {
				return err
			}
			keep := l[0] == gifGraphicCtl || l[0] == gifPlainText
			if l[0] == gifApplication {
				if id, err := readAt(r, off+2, 12); err == nil && id[0] == 11 {
					keep = gifKeepApps[string(id[1:])]
				}
			}
			if keep {
				p.keep(off, end-off)
			} else {
				p.Removed++
			}
			off = end
		default:
			return fmt.Errorf("unknown block 0x%02x at offset %d", b[0], off)
		}
	}
}

// gifSubBlocks skips the data sub-blocks starting at off and returns the offset after their
// terminator.
func gifSubBlocks(r io.ReaderAt, off, size int64) (int64, error) {
	for {
		if off >= size {
			return 0, fmt.Errorf("data sub-blocks run past the end")
		}
		n, err := readAt(r, off, 1)
		if err != nil {
			return 0, err
		}
		off += 1 + int64(n[0])
		if n[0] == 0 {
			return off, nil
		}
	}
}
