// Package attention asks the window system to draw the user's attention to a window when an
// alarm arrives: the urgency hint on X11 (window managers flash the task bar entry or raise the
// window) and FlashWindowEx on Windows. Elsewhere the functions return ErrUnsupported.
package attention

import "errors"

// ErrUnsupported: this platform or build has no way to ask for attention.
var ErrUnsupported = errors.New("asking for window attention is not supported here")
