//go:build linux && !wayland && cgo

package attention

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <X11/Xutil.h>

static int set_urgent(unsigned long win) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return -1;
	XWMHints *h = XGetWMHints(d, (Window)win);
	if (h == NULL) {
		h = XAllocWMHints();
		if (h == NULL) { XCloseDisplay(d); return -2; }
	}
	h->flags |= XUrgencyHint;
	XSetWMHints(d, (Window)win, h);
	XFree(h);
	XFlush(d);
	XCloseDisplay(d);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// X11 sets the urgency hint (ICCCM WM_HINTS XUrgencyHint) of the X11 window; window managers
// clear it when the window gets the focus.
func X11(window uintptr) error {
	if window == 0 {
		return fmt.Errorf("failed to set the urgency hint: no window")
	}
	if r := C.set_urgent(C.ulong(window)); r != 0 {
		return fmt.Errorf("failed to set the urgency hint: X11 error %d", int(r))
	}
	return nil
}

// Urgent reports whether the X11 window has the urgency hint (for tests).
func Urgent(window uintptr) (bool, error) {
	d := C.XOpenDisplay(nil)
	if d == nil {
		return false, fmt.Errorf("failed to open the X11 display")
	}
	defer C.XCloseDisplay(d)
	h := C.XGetWMHints(d, C.Window(window))
	if h == nil {
		return false, nil
	}
	defer C.XFree(unsafe.Pointer(h))
	return h.flags&C.XUrgencyHint != 0, nil
}
