package rtc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

// TestFrameKeysRoundTrip: a frame encrypted with one ring's own key (index 3) decrypts in
// another ring only with that participant's key at that index: the first byte stays in clear,
// the rest is not the plain frame, the trailer names the index; a missing or wrong key fails.
func TestFrameKeysRoundTrip(t *testing.T) {
	raw := []byte("0123456789abcdef")
	sender := NewKeyRing()
	if err := sender.SetOwnKey(3, raw); err != nil {
		t.Fatal(err)
	}
	enc, err := sender.encryptor()
	if err != nil {
		t.Fatal(err)
	}
	frame := []byte{0x78, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	wire, err := enc.EncryptFrame(frame)
	if err != nil {
		t.Fatal(err)
	}
	if wire[0] != frame[0] || bytes.Contains(wire, frame[1:]) || wire[len(wire)-1] != 3 || wire[len(wire)-2] != 12 {
		t.Fatalf("wire frame %x", wire)
	}
	if len(wire) != len(frame)+16+12+2 {
		t.Fatalf("wire frame of %d bytes for %d", len(wire), len(frame))
	}
	receiver := NewKeyRing()
	dec, err := receiver.decryptor("@a:hs:DEV", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dec.DecryptFrame(wire); err == nil {
		t.Fatal("decrypted without the key")
	}
	if err := receiver.SetKey("@a:hs:DEV", 3, []byte("another key 16 b")); err != nil {
		t.Fatal(err)
	}
	if _, err := dec.DecryptFrame(wire); err == nil {
		t.Fatal("decrypted with a wrong key")
	}
	if err := receiver.SetKey("@a:hs:DEV", 3, raw); err != nil {
		t.Fatal(err)
	}
	plain, err := dec.DecryptFrame(wire)
	if err != nil || !bytes.Equal(plain, frame) {
		t.Fatalf("decrypted %x, %v", plain, err)
	}
	if !receiver.HasKey("@a:hs:DEV", 3) || receiver.HasKey("@a:hs:DEV", 4) {
		t.Fatal("HasKey")
	}
}

// TestKeysContent: the content we send parses back; unpadded and URL-safe base64 (as
// matrix-js-sdk may send) are read; incomplete contents are ErrMalformedKeys.
func TestKeysContent(t *testing.T) {
	raw := []byte{0xfb, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
	c := NewKeysContent("!r:hs", "DEV", 7, raw, time.UnixMilli(1234))
	if c.Session.Application != "m.call" || c.Session.Scope != "m.room" || c.SentTS != 1234 || c.Member.ClaimedDeviceID != "DEV" {
		t.Fatalf("content %+v", c)
	}
	for _, key := range []string{base64.StdEncoding.EncodeToString(raw), base64.RawStdEncoding.EncodeToString(raw),
		base64.RawURLEncoding.EncodeToString(raw)} {
		body := `{"keys":{"index":7,"key":"` + key + `"},"room_id":"!r:hs","member":{"claimed_device_id":"DEV"},
			"session":{"application":"m.call","call_id":"","scope":"m.room"},"sent_ts":1234}`
		got, index, k, err := ParseKeysContent([]byte(body))
		if err != nil || index != 7 || !bytes.Equal(k, raw) || got.RoomID != "!r:hs" {
			t.Fatalf("%s: %+v %d %x %v", key, got, index, k, err)
		}
	}
	for _, body := range []string{`{}`, `{"keys":{"index":1,"key":"AAAA"},"room_id":"!r","member":{}}`,
		`{"keys":{"index":256,"key":"AAAA"},"room_id":"!r","member":{"claimed_device_id":"D"}}`,
		`{"keys":{"index":1,"key":"!!"},"room_id":"!r","member":{"claimed_device_id":"D"}}`,
		`{"keys":{"index":1,"key":"AAAA"},"room_id":"!r","member":{"claimed_device_id":"D"},"session":{"application":"m.other"}}`} {
		if _, _, _, err := ParseKeysContent([]byte(body)); !errors.Is(err, ErrMalformedKeys) {
			t.Fatalf("%s: %v", body, err)
		}
	}
}
