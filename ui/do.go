package ui

import (
	"sync/atomic"

	"fyne.io/fyne/v2"
)

// doer holds the function do calls: fyne.Do, or in the package's tests a queue that the test
// goroutine drains, so that they act as the one UI goroutine and the race detector catches any
// widget touched from elsewhere. It is atomic because a test swaps it back while goroutines the
// test started (a page of older messages being loaded, say) may still hand work to do.
var doer atomic.Pointer[func(func())]

func init() {
	f := fyne.Do
	doer.Store(&f)
}

// do runs f on the UI goroutine.
func do(f func()) { (*doer.Load())(f) }

// setDo makes fn the function do calls and returns the one it replaced (tests).
func setDo(fn func(func())) (old func(func())) { return *doer.Swap(&fn) }
