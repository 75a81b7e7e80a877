// Package capture keeps a window out of screenshots and screen recordings where the system
// allows it (policy screenshot_protection): on Windows with SetWindowDisplayAffinity
// (WDA_EXCLUDEFROMCAPTURE, Windows 10 2004 and later; WDA_MONITOR before). Elsewhere there is no
// such call for apps (ErrUnsupported). Pure Go, no Fyne: the app passes the native window handle.
package capture

import "errors"

// ErrUnsupported is returned where apps cannot exclude their windows from capture.
var ErrUnsupported = errors.New("this system gives apps no way to keep a window out of screenshots")
