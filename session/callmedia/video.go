package callmedia

import (
	"bytes"
	"image"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"golang.org/x/image/vp8"
)

// Received video is VP8, decoded in pure Go by golang.org/x/image/vp8. That decoder handles key
// frames only (it is the WebP decoder), so the receiver asks the sender for a key frame (RTCP
// PLI) every KeyFrameInterval and shows each one: the picture refreshes about twice a second,
// whatever frame rate the sender encodes. Inter frames are counted and skipped.

// KeyFrameInterval is how often a received VP8 track is asked for a key frame, so at most
// 1/KeyFrameInterval pictures a second are decoded.
const KeyFrameInterval = 500 * time.Millisecond

// videoState is the newest decoded picture of a call.
type videoState struct {
	mu     sync.Mutex
	img    *image.YCbCr // a copy: the decoder reuses its own
	frames uint64       // pictures decoded
	skip   uint64       // complete inter frames that were not decoded
}

// VideoFrame returns the newest decoded picture of the other side's video (nil before the
// first) and how many were decoded so far. The picture is not changed afterwards.
func (p *Peer) VideoFrame() (image.Image, uint64) {
	p.video.mu.Lock()
	defer p.video.mu.Unlock()
	if p.video.img == nil {
		return nil, p.video.frames
	}
	return p.video.img, p.video.frames
}

// videoStats fills the video fields of s.
func (p *Peer) videoStats(s *Stats) {
	p.video.mu.Lock()
	defer p.video.mu.Unlock()
	s.VideoFramesIn = p.video.frames
	if p.video.img != nil {
		b := p.video.img.Rect
		s.VideoWidth, s.VideoHeight = b.Dx(), b.Dy()
	}
}

// registerCodecs registers the codecs of a call: pion's default audio codecs and, for video,
// VP8 only (with retransmission), the one codec the receiver decodes, so that a browser sends
// VP8 whatever its own preference.
func registerCodecs(m *webrtc.MediaEngine) error {
	audio := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeG722, ClockRate: 8000}, PayloadType: rtp.PayloadTypeG722},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: rtp.PayloadTypePCMU},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000}, PayloadType: rtp.PayloadTypePCMA},
	}
	for _, c := range audio {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return err
		}
	}
	fb := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	video := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb}, PayloadType: 96},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeRTX, ClockRate: 90000, SDPFmtpLine: "apt=96"}, PayloadType: 97},
	}
	for _, c := range video {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return err
		}
	}
	return nil
}

// receiveVideo reads a remote video track: every packet is counted, VP8 frames are put
// together and key frames decoded, while requestKeyFrames asks for them.
func (p *Peer) receiveVideo(tr *webrtc.TrackRemote) {
	defer p.wg.Done()
	isVP8 := strings.EqualFold(tr.Codec().MimeType, webrtc.MimeTypeVP8)
	trackDone := make(chan struct{})
	defer close(trackDone)
	if isVP8 {
		p.wg.Add(1)
		go p.requestKeyFrames(uint32(tr.SSRC()), trackDone)
	}
	var asm vp8Assembler
	dec := vp8.NewDecoder()
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		p.videoIn.Add(1)
		p.bytesIn.Add(uint64(len(pkt.Payload)))
		if !isVP8 {
			continue
		}
		if frame := asm.push(pkt); frame != nil {
			p.decodeVP8(dec, frame)
		}
	}
}

// requestKeyFrames sends a PLI for the track at once and then every KeyFrameInterval, until
// the track or the peer ends.
func (p *Peer) requestKeyFrames(ssrc uint32, trackDone <-chan struct{}) {
	defer p.wg.Done()
	tick := time.NewTicker(KeyFrameInterval)
	defer tick.Stop()
	for {
		_ = p.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
		select {
		case <-p.done:
			return
		case <-trackDone:
			return
		case <-tick.C:
		}
	}
}

// decodeVP8 decodes a complete VP8 frame if it is a key frame and keeps a copy of the picture.
func (p *Peer) decodeVP8(dec *vp8.Decoder, frame []byte) {
	if len(frame) < 3 {
		return
	}
	if frame[0]&1 != 0 { // an inter frame: x/image/vp8 cannot decode it
		p.video.mu.Lock()
		p.video.skip++
		p.video.mu.Unlock()
		return
	}
	dec.Init(bytes.NewReader(frame), len(frame))
	if _, err := dec.DecodeFrameHeader(); err != nil {
		return
	}
	img, err := dec.DecodeFrame()
	if err != nil {
		return
	}
	cp := cloneYCbCr(img)
	p.video.mu.Lock()
	p.video.img = cp
	p.video.frames++
	p.video.mu.Unlock()
}

// cloneYCbCr copies a picture into its own memory.
func cloneYCbCr(src *image.YCbCr) *image.YCbCr {
	dst := image.NewYCbCr(src.Rect, src.SubsampleRatio)
	for y := src.Rect.Min.Y; y < src.Rect.Max.Y; y++ {
		copy(dst.Y[dst.YOffset(src.Rect.Min.X, y):][:src.Rect.Dx()], src.Y[src.YOffset(src.Rect.Min.X, y):])
	}
	cw, base := dst.CStride, src.COffset(src.Rect.Min.X, src.Rect.Min.Y)
	for row := range len(dst.Cb) / max(cw, 1) {
		copy(dst.Cb[row*cw:][:cw], src.Cb[base+row*src.CStride:])
		copy(dst.Cr[row*cw:][:cw], src.Cr[base+row*src.CStride:])
	}
	return dst
}

// vp8Assembler puts VP8 frames together from RTP packets (RFC 7741): a frame starts with a
// packet whose descriptor has S=1 and partition 0 and ends with the RTP marker; a frame with a
// missing packet is dropped.
type vp8Assembler struct {
	buf     []byte
	ok      bool // the frame in buf is complete so far
	last    uint16
	started bool
}

// push adds one packet and returns a complete frame (valid until the next push), else nil.
func (a *vp8Assembler) push(pkt *rtp.Packet) []byte {
	if a.started && pkt.SequenceNumber != a.last+1 {
		a.ok = false
	}
	a.last, a.started = pkt.SequenceNumber, true
	var vp codecs.VP8Packet
	payload, err := vp.Unmarshal(pkt.Payload)
	if err != nil {
		a.ok = false
		return nil
	}
	if vp.S == 1 && vp.PID == 0 {
		a.buf, a.ok = a.buf[:0], true
	}
	if !a.ok {
		return nil
	}
	a.buf = append(a.buf, payload...)
	if !pkt.Marker {
		return nil
	}
	a.ok = false
	return a.buf
}
