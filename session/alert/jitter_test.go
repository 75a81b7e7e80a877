package alert

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestAckDelayBounds(t *testing.T) {
	w := 10 * time.Second
	for _, c := range []struct {
		u    float64
		want time.Duration
	}{{0, 0}, {-1, 0}, {0.5, 5 * time.Second}, {0.25, 2500 * time.Millisecond}} {
		if got := AckDelay(w, c.u); got != c.want {
			t.Errorf("AckDelay(%v, %v) = %v, want %v", w, c.u, got, c.want)
		}
	}
	if d := AckDelay(w, 1); d >= w || d < w-time.Millisecond {
		t.Errorf("AckDelay(1) = %v", d)
	}
	if AckDelay(0, 0.7) != 0 || AckDelay(-time.Second, 0.7) != 0 {
		t.Error("no window must mean no delay")
	}
}

// TestAckDelayDistribution: the delays spread uniformly over the window (Kolmogorov-Smirnov
// against the uniform distribution, and every tenth of the window gets its share).
func TestAckDelayDistribution(t *testing.T) {
	const n = 20000
	w := 10 * time.Second
	samples := make([]float64, n)
	buckets := make([]int, 10)
	for i := range samples {
		d := RandomAckDelay(w)
		if d < 0 || d >= w {
			t.Fatalf("delay %v outside [0, %v)", d, w)
		}
		samples[i] = float64(d) / float64(w)
		buckets[int(samples[i]*10)]++
	}
	slices.Sort(samples)
	var dmax float64
	for i, x := range samples {
		dmax = max(dmax, math.Abs(float64(i+1)/n-x), math.Abs(x-float64(i)/n))
	}
	// Critical value at alpha = 0.001: 1.95/sqrt(n).
	if crit := 1.95 / math.Sqrt(n); dmax > crit {
		t.Errorf("KS distance %.4f > %.4f: not uniform", dmax, crit)
	}
	for i, c := range buckets {
		// Expected 2000 per bucket, sd ~42; 5 sd apart fails.
		if c < 1790 || c > 2210 {
			t.Errorf("bucket %d holds %d of %d delays", i, c, n)
		}
	}
	if samples[0] > 0.01 || samples[n-1] < 0.99 {
		t.Errorf("delays do not reach the ends of the window: %.4f..%.4f", samples[0], samples[n-1])
	}
}
