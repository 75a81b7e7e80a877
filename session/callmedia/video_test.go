package callmedia

import (
	"image"
	"image/color"
	"os"
	"sync/atomic"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// countPLIs reads a sender's RTCP and counts the picture loss indications in n.
func countPLIs(s *webrtc.RTPSender, n *atomic.Int64) {
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			if _, ok := pkt.(*rtcp.PictureLossIndication); ok && n != nil {
				n.Add(1)
			}
		}
	}
}

// A VP8 key frame (the one of x/image's video-001.lossy.webp, 150x103) sent over RTP is put
// together, decoded and shown as the newest picture; the receiver asks for key frames by PLI.
func TestPeerDecodesVideo(t *testing.T) {
	key, err := os.ReadFile("testdata/keyframe.vp8")
	if err != nil {
		t.Fatal(err)
	}
	var plis atomic.Int64
	pr := connectPairVideoFrame(t, Config{Source: NewTone(440)}, Config{ReceiveVideo: true}, key, &plis)
	defer func() { _ = pr.a.Close(); _ = pr.b.Close() }()
	waitFor(t, "decoded frames", func() bool { return pr.b.Stats().VideoFramesIn >= 3 })
	waitFor(t, "key frame requests", func() bool { return plis.Load() >= 1 })
	st := pr.b.Stats()
	if st.VideoWidth != 150 || st.VideoHeight != 103 {
		t.Fatalf("video size %dx%d, want 150x103", st.VideoWidth, st.VideoHeight)
	}
	img, n := pr.b.VideoFrame()
	if img == nil || n < 3 {
		t.Fatalf("newest frame %v, %d frames", img, n)
	}
	if !nonBlank(img) {
		t.Fatal("the decoded picture is blank")
	}
	waitTone(t, pr.detB, 440)
}

// A frame with a lost packet is dropped; the next complete one comes through.
func TestVP8AssemblerLoss(t *testing.T) {
	pkt := func(seq uint16, start, marker bool, b byte) *rtp.Packet {
		d := byte(0)
		if start {
			d = 0x10
		}
		return &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Marker: marker}, Payload: []byte{d, b}}
	}
	var a vp8Assembler
	if f := a.push(pkt(1, true, false, 1)); f != nil {
		t.Fatal("frame before its end")
	}
	if f := a.push(pkt(3, false, true, 3)); f != nil { // 2 was lost
		t.Fatalf("incomplete frame %v", f)
	}
	_ = a.push(pkt(4, true, false, 4))
	if f := a.push(pkt(5, false, true, 5)); string(f) != "\x04\x05" {
		t.Fatalf("frame %v, want [4 5]", f)
	}
}

// nonBlank tells whether a picture has pixels of more than one brightness.
func nonBlank(img interface {
	Bounds() image.Rectangle
	At(x, y int) color.Color
}) bool {
	b := img.Bounds()
	first := color.GrayModel.Convert(img.At(b.Min.X, b.Min.Y)).(color.Gray).Y
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			if v := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y; v > first+20 || v+20 < first {
				return true
			}
		}
	}
	return false
}
