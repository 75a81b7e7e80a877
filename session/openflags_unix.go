//go:build unix

package session

import (
	"os"
	"syscall"
)

// openNonBlocking keeps an open of a FIFO from waiting for a writer.
const openNonBlocking = syscall.O_NONBLOCK

// clearNonBlocking puts the opened (regular) file back into blocking mode.
func clearNonBlocking(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
