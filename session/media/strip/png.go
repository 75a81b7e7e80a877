package strip

import (
	"encoding/binary"
	"fmt"
	"io"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngKeep are the ancillary chunks kept: colour, transparency, physical size, animation (APNG).
// Critical chunks (upper-case first letter) are always kept; every other ancillary chunk is
// dropped, among them eXIf, tEXt, zTXt, iTXt (where XMP lives), tIME and private chunks.
var pngKeep = map[string]bool{
	"tRNS": true, "cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true, "cICP": true,
	"mDCV": true, "cLLI": true, "mDCv": true, "cLLi": true, "bKGD": true, "hIST": true, "pHYs": true,
	"sPLT": true, "acTL": true, "fcTL": true, "fdAT": true,
}

// stripPNG keeps the signature and the whitelisted chunks, verbatim with their CRCs, up to IEND;
// anything after IEND is dropped.
func stripPNG(p *Plan, r io.ReaderAt, size int64) error {
	p.keep(0, 8)
	off := int64(8)
	for first := true; ; first = false {
		h, err := readAt(r, off, 8)
		if err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(h))
		typ := string(h[4:8])
		if n > 1<<31-1 {
			return fmt.Errorf("chunk length %d at offset %d", n, off)
		}
		for _, c := range h[4:8] {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return fmt.Errorf("invalid chunk type at offset %d", off)
			}
		}
		if first && typ != "IHDR" {
			return fmt.Errorf("first chunk is %q, not IHDR", typ)
		}
		total := 12 + n
		if off+total > size {
			return fmt.Errorf("chunk %s at offset %d runs past the end", typ, off)
		}
		critical := typ[0] >= 'A' && typ[0] <= 'Z'
		if critical || pngKeep[typ] {
			p.keep(off, total)
		} else {
			p.Removed++
		}
		off += total
		if typ == "IEND" {
			if off < size {
				p.Removed++ // trailing data
			}
			return nil
		}
	}
}
