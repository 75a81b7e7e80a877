package callmedia

import (
	"math"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/thesyncim/gopus"
)

// maxConceal is the most lost packets in a row that the decoder conceals (PLC); longer gaps
// are skipped.
const maxConceal = 5

// sendLoop encodes the source (silence when there is none or while muted) into 20 ms Opus
// packets, paced by the wall clock, until Close.
func (p *Peer) sendLoop() {
	defer p.wg.Done()
	enc, err := NewOpusEncoder()
	if err != nil {
		return
	}
	pcm := make([]int16, FrameSamples)
	silence := make([]int16, FrameSamples)
	buf := make([]byte, maxOpusPacket)
	failed := -1 // generation of the source whose ReadFrame failed: silence until SetSource
	timer := time.NewTimer(0)
	<-timer.C
	start, n := time.Now(), 0
	for {
		frame := silence
		if src, gen := p.source(); src != nil && gen != failed {
			if err := src.ReadFrame(pcm); err != nil {
				failed = gen
			} else {
				frame = pcm
			}
		}
		if p.muted.Load() {
			frame = silence
		}
		size, err := enc.EncodeInt16(frame, buf)
		if err != nil {
			return
		}
		n++
		wait := time.Until(start.Add(time.Duration(n) * FrameTime))
		if wait < -10*FrameTime { // far behind (a stalled source): no burst to catch up
			start, n = time.Now(), 0
			wait = 0
		}
		if wait > 0 {
			timer.Reset(wait)
			select {
			case <-p.done:
				return
			case <-timer.C:
			}
		} else {
			select {
			case <-p.done:
				return
			default:
			}
		}
		if err := p.audio.WriteSample(media.Sample{Data: buf[:size], Duration: FrameTime}); err != nil {
			continue
		}
		p.pktsOut.Add(1)
	}
}

// remoteTrack starts reading a track of the other side: audio is decoded into the sink,
// video decoded where it is VP8 (video.go).
func (p *Peer) remoteTrack(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.wg.Add(1)
	if tr.Kind() == webrtc.RTPCodecTypeAudio {
		go p.receiveAudio(tr)
	} else {
		go p.receiveVideo(tr)
	}
}

func (p *Peer) receiveAudio(tr *webrtc.TrackRemote) {
	defer p.wg.Done()
	dec, err := NewOpusDecoder()
	if err != nil {
		return
	}
	out := make([]int16, maxFrameDecode)
	fec := make([]float32, FrameSamples)
	pending := make([]int16, 0, FrameSamples+maxFrameDecode*(maxConceal+1))
	var last uint16
	started := false
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		p.pktsIn.Add(1)
		p.bytesIn.Add(uint64(len(pkt.Payload)))
		if testHookDropIn != nil && testHookDropIn(pkt.SequenceNumber) {
			continue // counted as received, then lost: a test of concealment
		}
		if started {
			gap := int(int16(pkt.SequenceNumber - last - 1))
			if gap < 0 { // late or duplicate
				continue
			}
			p.lost.Add(uint64(gap))
			pending = conceal(dec, gap, pkt.Payload, pending, out, fec)
		}
		last, started = pkt.SequenceNumber, true
		if len(pkt.Payload) == 0 {
			continue
		}
		n, err := dec.DecodeInt16(pkt.Payload, out)
		if err != nil {
			continue
		}
		pending = append(pending, out[:n]...)
		k := 0
		for ; len(pending)-k >= FrameSamples; k += FrameSamples {
			p.received(pending[k : k+FrameSamples])
		}
		pending = pending[:copy(pending, pending[k:])]
	}
}

// testHookDropIn lets tests lose received audio packets.
var testHookDropIn func(seq uint16) bool

// conceal fills a gap of lost 20 ms packets: the last one from the in-band FEC of next (the
// packet after the gap) where the sender put it there, the others (at most maxConceal) by
// the decoder's loss concealment.
func conceal(dec *gopus.Decoder, gap int, next []byte, pending, out []int16, fec []float32) []int16 {
	if gap <= 0 {
		return pending
	}
	for range min(gap-1, maxConceal) {
		if n, err := dec.DecodeInt16(nil, out[:FrameSamples]); err == nil {
			pending = append(pending, out[:n]...)
		}
	}
	n, err := dec.DecodeWithFEC(next, fec[:FrameSamples], true)
	if err != nil {
		return pending
	}
	for _, v := range fec[:n] {
		pending = append(pending, int16(max(-32768, min(32767, math.Round(float64(v)*32768)))))
	}
	return pending
}

// received measures a decoded frame and hands it to the sink.
func (p *Peer) received(frame []int16) {
	p.level.Store(math.Float64bits(frameLevel(frame)))
	if sink := p.sink(); sink != nil {
		sink.WriteFrame(frame)
	}
}

func (p *Peer) audioLevel() float64 { return math.Float64frombits(p.level.Load()) }

// frameLevel is the RMS of a frame relative to a full-scale sine (1 = a full-scale sine), at most 1.
func frameLevel(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var sum float64
	for _, s := range pcm {
		v := float64(s)
		sum += v * v
	}
	l := math.Sqrt(sum/float64(len(pcm))) / 32768 * math.Sqrt2
	return math.Min(l, 1)
}
