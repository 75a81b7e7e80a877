//go:build !windows

package capture

// ExcludeWindow is not possible here: ErrUnsupported.
func ExcludeWindow(uintptr) error { return ErrUnsupported }
