//go:build !cgo

package voice

// Mic is the stand-in of builds without cgo: Start fails.
type Mic struct{}

// NewMic returns the stand-in.
func NewMic() *Mic { return &Mic{} }

// NewNullMic returns the stand-in.
func NewNullMic() *Mic { return &Mic{} }

// Start fails: there is no audio input without cgo.
func (*Mic) Start(func([]float32)) error { return ErrUnsupported }

// Stop does nothing.
func (*Mic) Stop() {}

// Player is the stand-in of builds without cgo.
type Player struct{}

// NewPlayer returns the stand-in.
func NewPlayer() *Player { return &Player{} }

// NewNullPlayer returns the stand-in.
func NewNullPlayer() *Player { return &Player{} }

// Play fails: there is no audio output without cgo.
func (*Player) Play([]float32, func()) error { return ErrUnsupported }

// Pause does nothing.
func (*Player) Pause() {}

// Resume does nothing.
func (*Player) Resume() {}

// Paused is always false.
func (*Player) Paused() bool { return false }

// Position is always 0.
func (*Player) Position() int64 { return 0 }

// Playing is always false.
func (*Player) Playing() bool { return false }

// Stop does nothing.
func (*Player) Stop() {}

// Close does nothing.
func (*Player) Close() {}
