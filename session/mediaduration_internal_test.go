package session

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

func box(typ string, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(b)))
	return append(append(out, typ...), b...)
}

func mvhd0(scale, dur uint32) []byte {
	b := []byte{0, 0, 0, 0}
	b = binary.BigEndian.AppendUint32(b, 1)
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.BigEndian.AppendUint32(b, scale)
	b = binary.BigEndian.AppendUint32(b, dur)
	return box("mvhd", b, make([]byte, 80))
}

func mvhd1(scale uint32, dur uint64) []byte {
	b := []byte{1, 0, 0, 0}
	b = binary.BigEndian.AppendUint64(b, 1)
	b = binary.BigEndian.AppendUint64(b, 2)
	b = binary.BigEndian.AppendUint32(b, scale)
	b = binary.BigEndian.AppendUint64(b, dur)
	return box("mvhd", b, make([]byte, 80))
}

// The duration of an MP4/M4A comes from moov/mvhd, also when the media data comes first; other
// data gives none.
func TestMP4Duration(t *testing.T) {
	ftyp := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	mdat := box("mdat", make([]byte, 100000))
	for _, c := range []struct {
		name string
		data []byte
		want time.Duration
		ok   bool
	}{
		{"moov first", bytes.Join([][]byte{ftyp, box("moov", mvhd0(1000, 12345), box("trak")), mdat}, nil), 12345 * time.Millisecond, true},
		{"moov last", bytes.Join([][]byte{ftyp, mdat, box("moov", box("iods", make([]byte, 8)), mvhd0(600, 600*90))}, nil), 90 * time.Second, true},
		{"version 1", bytes.Join([][]byte{ftyp, box("moov", mvhd1(44100, 44100*3))}, nil), 3 * time.Second, true},
		{"no moov", bytes.Join([][]byte{ftyp, mdat}, nil), 0, false},
		{"not mp4", []byte("OggS\x00\x02 random audio data here"), 0, false},
		{"truncated", bytes.Join([][]byte{ftyp, box("moov", mvhd0(1000, 5000))}, nil)[:40], 0, false},
		{"zero timescale", bytes.Join([][]byte{ftyp, box("moov", mvhd0(0, 5000))}, nil), 0, false},
	} {
		d, ok := mp4Duration(bytes.NewReader(c.data))
		if d != c.want || ok != c.ok {
			t.Errorf("%s: %v %v, want %v %v", c.name, d, ok, c.want, c.ok)
		}
	}
	for typ, want := range map[string]bool{"video/mp4": true, "audio/x-m4a": true, "video/quicktime": true, "audio/ogg": false, "video/webm": false} {
		if isMP4Type(typ) != want {
			t.Errorf("isMP4Type(%s) = %v", typ, !want)
		}
	}
}
