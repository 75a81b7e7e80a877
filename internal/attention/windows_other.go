//go:build !windows

package attention

// Windows returns ErrUnsupported: this is no Windows build.
func Windows(uintptr) error { return ErrUnsupported }
