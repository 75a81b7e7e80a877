package alert

import (
	"math"
	"math/rand/v2"
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
	for _, u := range []float64{1, 1.5, math.Inf(1)} {
		if d := AckDelay(w, u); d >= w || d < w-time.Millisecond {
			t.Errorf("AckDelay(%v) = %v, want just under the window", u, d)
		}
	}
	if AckDelay(0, 0.7) != 0 || AckDelay(-time.Second, 0.7) != 0 {
		t.Error("no window must mean no delay")
	}
}

// TestRandomAckDelayNoWindow: a window of zero (or below) never delays, however often drawn.
func TestRandomAckDelayNoWindow(t *testing.T) {
	for i := range 10000 {
		for _, w := range []time.Duration{0, -time.Nanosecond, -10 * time.Second} {
			if d := RandomAckDelay(w); d != 0 {
				t.Fatalf("draw %d: RandomAckDelay(%v) = %v, want 0", i, w, d)
			}
		}
	}
}

// spread is the goodness of fit of delays (as fractions of their window) to the uniform
// distribution on [0, 1).
type spread struct {
	ks       float64 // Kolmogorov-Smirnov distance
	chi2     float64 // chi-square statistic over len(bins) equal bins
	bins     []int
	min, max float64
	mean     float64
	lag1     float64 // correlation of consecutive draws
}

func measureSpread(t *testing.T, draws []time.Duration, w time.Duration, nbins int) spread {
	t.Helper()
	n := len(draws)
	s := spread{bins: make([]int, nbins)}
	xs := make([]float64, n)
	var sum, cov float64
	for i, d := range draws {
		if d < 0 || d >= w {
			t.Fatalf("delay %v outside [0, %v)", d, w)
		}
		xs[i] = float64(d) / float64(w)
		s.bins[int(xs[i]*float64(nbins))]++
		sum += xs[i]
		if i > 0 {
			cov += (xs[i] - 0.5) * (xs[i-1] - 0.5)
		}
	}
	s.mean = sum / float64(n)
	s.lag1 = cov / float64(n-1) / (1.0 / 12) // variance of U(0,1) is 1/12
	expected := float64(n) / float64(nbins)
	for _, c := range s.bins {
		s.chi2 += (float64(c) - expected) * (float64(c) - expected) / expected
	}
	slices.Sort(xs)
	for i, x := range xs {
		s.ks = max(s.ks, math.Abs(float64(i+1)/float64(n)-x), math.Abs(x-float64(i)/float64(n)))
	}
	s.min, s.max = xs[0], xs[n-1]
	return s
}

// TestAckDelayDistribution: with a fixed seed (deterministic, so it never flakes), delays drawn
// through AckDelay spread uniformly over windows of several sizes: Kolmogorov-Smirnov and
// chi-square over 20 bins at alpha = 0.001, the ends of the window reached, mean in the middle,
// consecutive draws uncorrelated.
func TestAckDelayDistribution(t *testing.T) {
	const n = 20000
	for _, w := range []time.Duration{time.Second, defaultWindow, 30 * time.Second, 5 * time.Minute} {
		rng := rand.New(rand.NewPCG(2026, uint64(w)))
		draws := make([]time.Duration, n)
		for i := range draws {
			draws[i] = AckDelay(w, rng.Float64())
		}
		s := measureSpread(t, draws, w, 20)
		checkSpread(t, w, s, n, 1.9495, 43.82) // critical values at alpha = 0.001
	}
}

// TestRandomAckDelayDistribution: the engine's own draws (the global source, unseeded) spread
// uniformly too. The critical values are at alpha = 1e-6, so the test fails by chance about once
// in a million runs.
func TestRandomAckDelayDistribution(t *testing.T) {
	const n = 20000
	w := defaultWindow
	draws := make([]time.Duration, n)
	for i := range draws {
		draws[i] = RandomAckDelay(w)
	}
	s := measureSpread(t, draws, w, 10)
	checkSpread(t, w, s, n, 2.6934, 44.81)
}

// defaultWindow is the default window of the policy key alert_ack_jitter_s.
const defaultWindow = 10 * time.Second

func checkSpread(t *testing.T, w time.Duration, s spread, n int, ksCrit, chi2Crit float64) {
	t.Helper()
	if crit := ksCrit / math.Sqrt(float64(n)); s.ks > crit {
		t.Errorf("window %v: KS distance %.4f > %.4f: not uniform", w, s.ks, crit)
	}
	if s.chi2 > chi2Crit {
		t.Errorf("window %v: chi-square %.1f > %.1f over %d bins: not uniform (bins %v)", w, s.chi2, chi2Crit, len(s.bins), s.bins)
	}
	if s.min > 0.001 || s.max < 0.999 {
		t.Errorf("window %v: delays do not reach the ends of the window: %.4f..%.4f", w, s.min, s.max)
	}
	// Mean of U(0,1): 0.5 with a standard error of sqrt(1/12/n) (0.002 at 20000); 6 sigma.
	if se := math.Sqrt(1.0 / 12 / float64(n)); math.Abs(s.mean-0.5) > 6*se {
		t.Errorf("window %v: mean delay %.4f of the window, want 0.5", w, s.mean)
	}
	// Lag-1 correlation: standard error 1/sqrt(n); 6 sigma.
	if math.Abs(s.lag1) > 6/math.Sqrt(float64(n)) {
		t.Errorf("window %v: consecutive delays correlate (%.4f)", w, s.lag1)
	}
}
