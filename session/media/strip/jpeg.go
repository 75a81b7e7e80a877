package strip

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// posReader is a buffered reader that knows its offset in the file.
type posReader struct {
	br  *bufio.Reader
	pos int64
}

func (r *posReader) byte() (byte, error) {
	b, err := r.br.ReadByte()
	if err == nil {
		r.pos++
	} else if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

func (r *posReader) discard(n int64) error {
	for n > 0 {
		k, err := r.br.Discard(int(min(n, 1<<20)))
		r.pos += int64(k)
		n -= int64(k)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// stripJPEG walks the JPEG's segments up to its EOI marker, including the entropy-coded data of
// every scan (so segments between the scans of a progressive JPEG are seen too), and keeps the
// whitelisted ones. Data after EOI (MPF preview images with their own EXIF, vendor trailers) is
// dropped.
func stripJPEG(p *Plan, src io.ReaderAt, size int64) error {
	r := &posReader{br: bufio.NewReaderSize(io.NewSectionReader(src, 0, size), 64<<10)}
	if err := r.discard(2); err != nil { // SOI
		return err
	}
	p.keep(0, 2)
	orientationDone := false
	for {
		start := r.pos
		b, err := r.byte()
		if err != nil {
			return err
		}
		if b != 0xFF {
			return fmt.Errorf("no marker at offset %d", start)
		}
		m := byte(0xFF)
		for m == 0xFF { // fill bytes
			if m, err = r.byte(); err != nil {
				return err
			}
		}
		switch {
		case m == 0xD9: // EOI
			p.keep(start, r.pos-start)
			if r.pos < size {
				p.Removed++ // trailing data
			}
			return nil
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7) || m == 0xD8:
			if m == 0xD8 {
				return fmt.Errorf("second SOI at offset %d", start)
			}
			p.keep(start, r.pos-start)
			continue
		case m == 0x00:
			return fmt.Errorf("invalid marker at offset %d", start)
		}
		hi, err := r.byte()
		if err != nil {
			return err
		}
		lo, err := r.byte()
		if err != nil {
			return err
		}
		length := int64(hi)<<8 | int64(lo)
		if length < 2 {
			return fmt.Errorf("segment length %d at offset %d", length, start)
		}
		body := length - 2
		if m == 0xDA { // SOS: header, then entropy-coded data up to the next marker
			if err := r.discard(body); err != nil {
				return err
			}
			if err := skipEntropy(r); err != nil {
				return err
			}
			p.keep(start, r.pos-start)
			continue
		}
		if (m >= 0xE0 && m <= 0xEF) || m == 0xFE { // APPn, COM
			peek := min(body, 14)
			id := make([]byte, peek)
			for i := range id {
				if id[i], err = r.byte(); err != nil {
					return err
				}
			}
			if keepAPP(m, id) {
				if err := r.discard(body - peek); err != nil {
					return err
				}
				p.keep(start, r.pos-start)
				continue
			}
			p.Removed++
			if m == 0xE1 && !orientationDone && bytes.HasPrefix(id, []byte("Exif\x00\x00")) {
				orientationDone = true
				rest, err := readAt(src, r.pos, int(body-peek))
				if err != nil {
					return err
				}
				if o := exifOrientation(append(id[6:], rest...)); o > 1 {
					p.Orientation = o
					p.literal(orientationAPP1(o))
				}
			}
			if err := r.discard(body - peek); err != nil {
				return err
			}
			continue
		}
		if err := r.discard(body); err != nil {
			return err
		}
		p.keep(start, r.pos-start)
	}
}

// keepAPP whitelists the APPn segments needed to show the image: JFIF/JFXX (APP0), the ICC
// profile (APP2) and Adobe's colour transform (APP14). id is the start of the segment's body.
func keepAPP(m byte, id []byte) bool {
	switch m {
	case 0xE0:
		return bytes.HasPrefix(id, []byte("JFIF\x00")) || bytes.HasPrefix(id, []byte("JFXX\x00"))
	case 0xE2:
		return bytes.HasPrefix(id, []byte("ICC_PROFILE\x00"))
	case 0xEE:
		return bytes.HasPrefix(id, []byte("Adobe"))
	}
	return false
}

// skipEntropy reads entropy-coded data until the next marker, leaving the reader on that
// marker's 0xFF.
func skipEntropy(r *posReader) error {
	for {
		buf, err := r.br.Peek(1)
		if err != nil {
			return io.ErrUnexpectedEOF
		}
		if buf[0] != 0xFF {
			// Skip a run of non-0xFF bytes at once.
			n := r.br.Buffered()
			chunk, _ := r.br.Peek(n)
			k := bytes.IndexByte(chunk, 0xFF)
			if k < 0 {
				k = n
			}
			if err := r.discard(int64(k)); err != nil {
				return err
			}
			continue
		}
		two, err := r.br.Peek(2)
		if err != nil {
			return io.ErrUnexpectedEOF
		}
		switch m := two[1]; {
		case m == 0x00 || (m >= 0xD0 && m <= 0xD7): // stuffed byte, restart marker
			if err := r.discard(2); err != nil {
				return err
			}
		case m == 0xFF: // fill byte before a marker
			if err := r.discard(1); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// exifOrientation reads tag 0x0112 of IFD0 from a TIFF structure (the EXIF body after
// "Exif\0\0"); 0 when it has none or it is broken.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := int64(bo.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > int64(len(tiff)) {
		return 0
	}
	n := int64(bo.Uint16(tiff[ifd:]))
	for i := int64(0); i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(tiff)) {
			return 0
		}
		if bo.Uint16(tiff[e:]) == 0x0112 && bo.Uint16(tiff[e+2:]) == 3 {
			if o := int(bo.Uint16(tiff[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 0
		}
	}
	return 0
}

// orientationAPP1 is an APP1 EXIF segment whose IFD0 holds only the orientation tag.
func orientationAPP1(o int) []byte {
	return []byte{
		0xFF, 0xE1, 0x00, 0x22, // APP1, length 34
		'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF header, IFD0 at 8
		0x00, 0x01, // one entry
		0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, byte(o), 0x00, 0x00, // Orientation SHORT
		0x00, 0x00, 0x00, 0x00, // no next IFD
	}
}
