//go:build cgo

package voice

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/gen2brain/malgo"

	"bosmessenger/internal/audiodev"
)

// Mic is the Source of the system's default microphone (or of the null backend: silence at
// the pace of a real device, for tests).
type Mic struct {
	backends []malgo.Backend

	mu  sync.Mutex
	ctx *malgo.AllocatedContext
	dev *malgo.Device
}

// NewMic returns the system's microphone; nothing is opened before Start.
func NewMic() *Mic { return &Mic{} }

// NewNullMic returns a microphone on miniaudio's null backend.
func NewNullMic() *Mic { return &Mic{backends: audiodev.Null()} }

// Start opens the capture device (mono float32 at SampleRate) and pushes what it captures.
func (m *Mic) Start(push func([]float32)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dev != nil {
		return nil
	}
	data := func(_, in []byte, frames uint32) {
		n := min(int(frames), len(in)/4)
		block := make([]float32, n)
		for i := range block {
			block[i] = math.Float32frombits(binary.LittleEndian.Uint32(in[4*i:]))
		}
		push(block)
	}
	ctx, dev, err := audiodev.Open(m.backends, audiodev.Config{Kind: malgo.Capture, Format: malgo.FormatF32, SampleRate: SampleRate}, data)
	if err != nil {
		return fmt.Errorf("failed to open the microphone: %w", err)
	}
	m.ctx, m.dev = ctx, dev
	return nil
}

// Stop closes the capture device.
func (m *Mic) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dev == nil {
		return
	}
	audiodev.Stop(m.dev)
	audiodev.FreeContext(m.ctx)
	m.dev, m.ctx = nil, nil
}

// Player plays decoded voice messages through the system's audio output. Its methods are safe
// from any goroutine.
type Player struct {
	backends []malgo.Backend

	mu  sync.Mutex
	ctx *malgo.AllocatedContext
	dev *malgo.Device
	cur atomic.Pointer[playing]

	pos    atomic.Int64 // next sample
	paused atomic.Bool
	ended  atomic.Bool
}

// playing is the clip being played and what to run at its end.
type playing struct {
	pcm   []float32
	onEnd func()
}

// NewPlayer returns a player for the system's output; nothing is opened before Play.
func NewPlayer() *Player { return &Player{} }

// NewNullPlayer returns a player on miniaudio's null backend (silent, real-time).
func NewNullPlayer() *Player { return &Player{backends: audiodev.Null()} }

// Play plays pcm (mono, SampleRate) from its start, ending what played before; onEnd (may be
// nil) runs on its own goroutine once the last sample was rendered.
func (p *Player) Play(pcm []float32, onEnd func()) error {
	p.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx == nil {
		ctx, err := audiodev.InitContext(p.backends)
		if err != nil {
			return err
		}
		p.ctx = ctx
	}
	p.cur.Store(&playing{pcm: pcm, onEnd: onEnd})
	p.pos.Store(0)
	p.paused.Store(false)
	p.ended.Store(false)
	dev, err := audiodev.Start(p.ctx, audiodev.Config{Kind: malgo.Playback, Format: malgo.FormatF32, SampleRate: SampleRate}, p.fill)
	if err != nil {
		return err
	}
	p.dev = dev
	return nil
}

func (p *Player) fill(out, _ []byte, frames uint32) {
	n := min(int(frames), len(out)/4)
	if p.paused.Load() || p.ended.Load() {
		clear(out[:4*n])
		return
	}
	cur := p.cur.Load()
	if cur == nil {
		clear(out[:4*n])
		return
	}
	pos, pcm := int(p.pos.Load()), cur.pcm
	for i := range n {
		v := float32(0)
		if pos+i < len(pcm) {
			v = pcm[pos+i]
		}
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
	}
	next := min(pos+n, len(pcm))
	p.pos.Store(int64(next))
	if next >= len(pcm) && p.ended.CompareAndSwap(false, true) {
		if f := cur.onEnd; f != nil {
			go f()
		}
	}
}

// Pause holds playback where it is; Resume goes on from there.
func (p *Player) Pause() { p.paused.Store(true) }

// Resume continues after Pause.
func (p *Player) Resume() { p.paused.Store(false) }

// Paused reports whether playback is held.
func (p *Player) Paused() bool { return p.paused.Load() }

// Position is how much has been played.
func (p *Player) Position() int64 { return p.pos.Load() }

// Playing reports whether a clip is loaded and not yet at its end.
func (p *Player) Playing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dev != nil && !p.ended.Load()
}

// Stop ends playback.
func (p *Player) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dev == nil {
		return
	}
	audiodev.Stop(p.dev)
	p.dev = nil
}

// Close stops playback and releases the audio context.
func (p *Player) Close() {
	p.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx != nil {
		audiodev.FreeContext(p.ctx)
		p.ctx = nil
	}
}
