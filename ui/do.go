package ui

import "fyne.io/fyne/v2"

// do runs f on the UI goroutine. It is fyne.Do; the package's tests replace it with a queue that the
// test goroutine drains, so that they act as the one UI goroutine and the race detector catches any
// widget touched from elsewhere.
var do = fyne.Do
