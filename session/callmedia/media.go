package callmedia

import (
	"math"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
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
	src := p.cfg.Source
	timer := time.NewTimer(0)
	<-timer.C
	start, n := time.Now(), 0
	for {
		frame := silence
		if src != nil {
			if err := src.ReadFrame(pcm); err != nil {
				src = nil // the source ended: silence from now on
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
// video only counted.
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

func (p *Peer) receiveVideo(tr *webrtc.TrackRemote) {
	defer p.wg.Done()
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		p.videoIn.Add(1)
		p.bytesIn.Add(uint64(len(pkt.Payload)))
	}
}

func (p *Peer) receiveAudio(tr *webrtc.TrackRemote) {
	defer p.wg.Done()
	dec, err := NewOpusDecoder()
	if err != nil {
		return
	}
	out := make([]int16, maxFrameDecode)
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
		if started {
			gap := int16(pkt.SequenceNumber - last - 1)
			if gap < 0 { // late or duplicate
				continue
			}
			for i := 0; i < int(gap) && i < maxConceal; i++ {
				if n, err := dec.DecodeInt16(nil, out[:FrameSamples]); err == nil {
					pending = append(pending, out[:n]...)
				}
			}
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

// received measures a decoded frame and hands it to the sink.
func (p *Peer) received(frame []int16) {
	p.level.Store(math.Float64bits(frameLevel(frame)))
	if p.cfg.Sink != nil {
		p.cfg.Sink.WriteFrame(frame)
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
