//go:build cgo

package alarmsound

import (
	"sync"
	"sync/atomic"

	"github.com/gen2brain/malgo"

	"bosmessenger/internal/audiodev"
)

// Player plays the alarm tone. Its methods are safe from any goroutine.
type Player struct {
	backends []malgo.Backend // nil: the system's default order

	mu     sync.Mutex
	ctx    *malgo.AllocatedContext
	dev    *malgo.Device
	closed bool

	pos    atomic.Uint64 // next sample of the tone
	frames atomic.Int64  // frames rendered since New (for tests and diagnostics)
}

// New returns a player for the system's audio output. Nothing is opened before Start.
func New() *Player { return &Player{} }

// NewNull returns a player on miniaudio's null backend: it runs like a real device, silently.
func NewNull() *Player { return &Player{backends: audiodev.Null()} }

// Start plays the tone in a loop from its beginning; while it plays already, Start does nothing.
func (p *Player) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.dev != nil {
		return nil
	}
	if p.ctx == nil {
		ctx, err := audiodev.InitContext(p.backends)
		if err != nil {
			return err
		}
		p.ctx = ctx
	}
	p.pos.Store(0)
	dev, err := audiodev.Start(p.ctx, audiodev.Config{Kind: malgo.Playback, Format: malgo.FormatS16, SampleRate: SampleRate}, p.fill)
	if err != nil {
		return err
	}
	p.dev = dev
	return nil
}

// Stop ends the tone (nothing when it does not play).
func (p *Player) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dev == nil {
		return
	}
	audiodev.Stop(p.dev)
	p.dev = nil
}

// Playing reports whether the tone plays.
func (p *Player) Playing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dev != nil
}

// Frames is the number of frames rendered so far.
func (p *Player) Frames() int64 { return p.frames.Load() }

// Close stops the tone and releases the audio context; Start fails afterwards.
func (p *Player) Close() {
	p.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.ctx != nil {
		audiodev.FreeContext(p.ctx)
		p.ctx = nil
	}
}

// fill is miniaudio's data callback: mono S16 little endian samples of the tone.
func (p *Player) fill(out, _ []byte, frames uint32) {
	n := min(int(frames), len(out)/2)
	pos := p.pos.Add(uint64(n)) - uint64(n)
	for i := range n {
		v := uint16(Sample(pos + uint64(i)))
		out[2*i], out[2*i+1] = byte(v), byte(v>>8)
	}
	p.frames.Add(int64(n))
}
