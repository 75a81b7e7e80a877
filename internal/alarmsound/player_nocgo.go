//go:build !cgo

package alarmsound

// Player is the silent stand-in of builds without cgo.
type Player struct{}

// New returns the stand-in.
func New() *Player { return &Player{} }

// NewNull returns the stand-in.
func NewNull() *Player { return &Player{} }

// Start fails: there is no audio output without cgo.
func (*Player) Start() error { return ErrUnsupported }

// Stop does nothing.
func (*Player) Stop() {}

// Playing is always false.
func (*Player) Playing() bool { return false }

// Frames is always 0.
func (*Player) Frames() int64 { return 0 }

// Close does nothing.
func (*Player) Close() {}
