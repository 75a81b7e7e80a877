package session

import "time"

// SetClockForTest moves the clock of local retention; the returned function restores it.
func SetClockForTest(now func() time.Time) (restore func()) {
	old := timeNow
	timeNow = now
	return func() { timeNow = old }
}
