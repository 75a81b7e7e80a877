//go:build cgo

package voice

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/gen2brain/malgo"
)

// backendNull is miniaudio's ma_backend_null (malgo's BackendNull names ma_backend_custom; see
// internal/alarmsound).
const backendNull = malgo.BackendNull + 1

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
func NewNullMic() *Mic { return &Mic{backends: []malgo.Backend{backendNull}} }

// Start opens the capture device (mono float32 at SampleRate) and pushes what it captures.
func (m *Mic) Start(push func([]float32)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dev != nil {
		return nil
	}
	ctx, err := malgo.InitContext(m.backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return fmt.Errorf("failed to open audio input: %w", err)
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format = malgo.FormatF32
	cfg.Capture.Channels = 1
	cfg.SampleRate = SampleRate
	data := func(_, in []byte, frames uint32) {
		n := min(int(frames), len(in)/4)
		block := make([]float32, n)
		for i := range block {
			block[i] = math.Float32frombits(binary.LittleEndian.Uint32(in[4*i:]))
		}
		push(block)
	}
	dev, err := malgo.InitDevice(ctx.Context, cfg, malgo.DeviceCallbacks{Data: data})
	if err != nil {
		_ = ctx.Uninit()
		ctx.Free()
		return fmt.Errorf("failed to open the microphone: %w", err)
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		_ = ctx.Uninit()
		ctx.Free()
		return fmt.Errorf("failed to start the microphone: %w", err)
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
	_ = m.dev.Stop()
	m.dev.Uninit()
	_ = m.ctx.Uninit()
	m.ctx.Free()
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
func NewNullPlayer() *Player { return &Player{backends: []malgo.Backend{backendNull}} }

// Play plays pcm (mono, SampleRate) from its start, ending what played before; onEnd (may be
// nil) runs on its own goroutine once the last sample was rendered.
func (p *Player) Play(pcm []float32, onEnd func()) error {
	p.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx == nil {
		ctx, err := malgo.InitContext(p.backends, malgo.ContextConfig{}, nil)
		if err != nil {
			return fmt.Errorf("failed to open audio output: %w", err)
		}
		p.ctx = ctx
	}
	p.cur.Store(&playing{pcm: pcm, onEnd: onEnd})
	p.pos.Store(0)
	p.paused.Store(false)
	p.ended.Store(false)
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.Playback.Format = malgo.FormatF32
	cfg.Playback.Channels = 1
	cfg.SampleRate = SampleRate
	dev, err := malgo.InitDevice(p.ctx.Context, cfg, malgo.DeviceCallbacks{Data: p.fill})
	if err != nil {
		return fmt.Errorf("failed to open audio device: %w", err)
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return fmt.Errorf("failed to start audio device: %w", err)
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
	_ = p.dev.Stop()
	p.dev.Uninit()
	p.dev = nil
}

// Close stops playback and releases the audio context.
func (p *Player) Close() {
	p.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx != nil {
		_ = p.ctx.Uninit()
		p.ctx.Free()
		p.ctx = nil
	}
}
