//go:build !unix

package session

import "os"

// openNonBlocking is 0 where opening a file cannot block on a missing writer.
const openNonBlocking = 0

func clearNonBlocking(*os.File) error { return nil }
