//go:build windows

package attention

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

var flashWindowEx = windows.NewLazySystemDLL("user32.dll").NewProc("FlashWindowEx")

// flashwinfo is FLASHWINFO.
type flashwinfo struct {
	size    uint32
	hwnd    uintptr
	flags   uint32
	count   uint32
	timeout uint32
}

const (
	flashwAll       = 0x3 // caption and task bar button
	flashwTimerNoFG = 0xc // until the window comes to the foreground
)

// Windows flashes the window's caption and task bar button until it comes to the foreground.
func Windows(hwnd uintptr) error {
	if err := flashWindowEx.Find(); err != nil {
		return fmt.Errorf("failed to find FlashWindowEx: %w", err)
	}
	fi := flashwinfo{hwnd: hwnd, flags: flashwAll | flashwTimerNoFG}
	fi.size = uint32(unsafe.Sizeof(fi))
	_, _, _ = flashWindowEx.Call(uintptr(unsafe.Pointer(&fi))) // returns the previous state, not an error
	return nil
}
