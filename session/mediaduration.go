package session

import (
	"encoding/binary"
	"io"
	"strings"
	"time"
)

// mp4Types are the MIME types whose duration mp4Duration reads (ISO base media files: MP4,
// QuickTime, M4A). Other audio and video go without info.duration: reading it would mean a
// demuxer per format.
var mp4Types = []string{"video/mp4", "video/quicktime", "audio/mp4", "audio/x-m4a", "audio/m4a"}

func isMP4Type(mimeType string) bool {
	mimeType, _, _ = strings.Cut(mimeType, ";")
	for _, t := range mp4Types {
		if strings.EqualFold(strings.TrimSpace(mimeType), t) {
			return true
		}
	}
	return false
}

// mp4Duration reads the duration from the movie header (moov/mvhd) of an ISO base media file,
// skipping other boxes (mdat before moov is read past, not kept). ok is false for anything else.
func mp4Duration(r io.Reader) (d time.Duration, ok bool) {
	inMoov := false
	for range 256 {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return 0, false
		}
		size, typ := int64(binary.BigEndian.Uint32(hdr[:4])), string(hdr[4:])
		head := int64(8)
		if size == 1 {
			var ext [8]byte
			if _, err := io.ReadFull(r, ext[:]); err != nil {
				return 0, false
			}
			size, head = int64(binary.BigEndian.Uint64(ext[:])), 16
		}
		if size != 0 && size < head {
			return 0, false
		}
		switch {
		case typ == "moov" && !inMoov:
			inMoov = true // its children follow
			continue
		case typ == "mvhd" && inMoov:
			return readMvhd(r)
		case size == 0: // to the end of the file: nothing after it
			return 0, false
		}
		if _, err := io.CopyN(io.Discard, r, size-head); err != nil {
			return 0, false
		}
	}
	return 0, false
}

// readMvhd reads timescale and duration from the body of an mvhd box.
func readMvhd(r io.Reader) (time.Duration, bool) {
	var b [32]byte
	if _, err := io.ReadFull(r, b[:4]); err != nil {
		return 0, false
	}
	var scale, dur uint64
	switch b[0] { // version
	case 0: // creation, modification (4 each), timescale, duration (4 each)
		if _, err := io.ReadFull(r, b[:16]); err != nil {
			return 0, false
		}
		scale, dur = uint64(binary.BigEndian.Uint32(b[8:12])), uint64(binary.BigEndian.Uint32(b[12:16]))
	case 1: // creation, modification (8 each), timescale (4), duration (8)
		if _, err := io.ReadFull(r, b[:28]); err != nil {
			return 0, false
		}
		scale, dur = uint64(binary.BigEndian.Uint32(b[16:20])), binary.BigEndian.Uint64(b[20:28])
	default:
		return 0, false
	}
	if scale == 0 || dur == 0 || dur == 1<<32-1 || dur/scale > 1<<31/1000 {
		return 0, false
	}
	return time.Duration(dur) * time.Second / time.Duration(scale), true
}
