package alert

import (
	"math/rand/v2"
	"time"
)

// AckDelay maps u in [0, 1) to a delay in [0, window): uniform for uniform u. A window <= 0 gives
// no delay.
func AckDelay(window time.Duration, u float64) time.Duration {
	if window <= 0 || u <= 0 {
		return 0
	}
	if u >= 1 {
		u = 0.999999999
	}
	return time.Duration(u * float64(window))
}

// RandomAckDelay is a random delay uniform in [0, window), so that the receipts of many devices
// spread over the window instead of reaching the server in the same second.
func RandomAckDelay(window time.Duration) time.Duration {
	return AckDelay(window, rand.Float64())
}
