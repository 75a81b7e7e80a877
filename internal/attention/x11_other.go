//go:build !linux || wayland || !cgo

package attention

// X11 returns ErrUnsupported: this build has no X11.
func X11(uintptr) error { return ErrUnsupported }

// Urgent returns ErrUnsupported: this build has no X11.
func Urgent(uintptr) (bool, error) { return false, ErrUnsupported }
