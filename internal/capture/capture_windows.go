//go:build windows

package capture

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// Display affinities of SetWindowDisplayAffinity.
const (
	wdaMonitor            = 0x01 // shown black in captures (Windows 7 and later)
	wdaExcludeFromCapture = 0x11 // left out of captures (Windows 10 2004 and later)
)

var setWindowDisplayAffinity = windows.NewLazySystemDLL("user32.dll").NewProc("SetWindowDisplayAffinity")

// ExcludeWindow keeps the window hwnd out of screenshots and recordings.
func ExcludeWindow(hwnd uintptr) error {
	if err := setWindowDisplayAffinity.Find(); err != nil {
		return fmt.Errorf("failed to find SetWindowDisplayAffinity: %w", err)
	}
	if r, _, _ := setWindowDisplayAffinity.Call(hwnd, wdaExcludeFromCapture); r != 0 {
		return nil
	}
	if r, _, err := setWindowDisplayAffinity.Call(hwnd, wdaMonitor); r == 0 {
		return fmt.Errorf("failed to exclude the window from capture: %w", err)
	}
	return nil
}
