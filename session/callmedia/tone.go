package callmedia

import (
	"math"
	"sync"
)

// tone is a sine at half of full scale.
type tone struct {
	mu    sync.Mutex
	step  float64
	phase float64
}

// NewTone returns a source of an endless sine of hz at half of full scale. It does not pace
// itself: a Peer sends its frames in real time.
func NewTone(hz float64) AudioSource {
	return &tone{step: 2 * math.Pi * hz / SampleRate}
}

func (t *tone) ReadFrame(pcm []int16) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range pcm {
		pcm[i] = int16(16384 * math.Sin(t.phase))
		t.phase += t.step
		if t.phase > 2*math.Pi {
			t.phase -= 2 * math.Pi
		}
	}
	return nil
}

// Detector window: the last half second of received audio.
const (
	detectWindow  = SampleRate / 2
	detectMinimum = SampleRate / 10 // less than 100 ms received: nothing to say
	detectSilence = 100.0 / 32768   // RMS below about -50 dBFS counts as silence
	detectLowHz   = 50
	detectHighHz  = 4000
)

// ToneDetector is an AudioSink that finds the dominant frequency of what it received lately
// (the last half second), by a Goertzel scan from 50 Hz to 4 kHz refined to 0.5 Hz. Safe from
// any goroutine.
type ToneDetector struct {
	mu     sync.Mutex
	ring   []int16
	pos    int
	filled int
	frames int
}

// NewToneDetector returns an empty detector.
func NewToneDetector() *ToneDetector {
	return &ToneDetector{ring: make([]int16, detectWindow)}
}

// WriteFrame takes received audio.
func (d *ToneDetector) WriteFrame(pcm []int16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range pcm {
		d.ring[d.pos] = s
		d.pos = (d.pos + 1) % len(d.ring)
	}
	d.filled = min(d.filled+len(pcm), len(d.ring))
	d.frames++
}

// Frames counts the frames received.
func (d *ToneDetector) Frames() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.frames
}

// DominantHz is the strongest frequency of the last half second, 0 when nothing (or silence)
// was received.
func (d *ToneDetector) DominantHz() float64 {
	d.mu.Lock()
	x := make([]float64, d.filled)
	start := d.pos - d.filled
	if start < 0 {
		start += len(d.ring)
	}
	for i := range x {
		x[i] = float64(d.ring[(start+i)%len(d.ring)]) / 32768
	}
	d.mu.Unlock()
	return DominantHz(x, SampleRate)
}

// DominantHz is the strongest frequency between 50 Hz and 4 kHz of x (samples in -1..1 at
// rate), 0 for less than 100 ms of audio or silence.
func DominantHz(x []float64, rate int) float64 {
	if len(x) < rate/10 {
		return 0
	}
	var sum float64
	for _, v := range x {
		sum += v * v
	}
	if math.Sqrt(sum/float64(len(x))) < detectSilence {
		return 0
	}
	w := make([]float64, len(x))
	for i, v := range x { // Hann window against leakage
		w[i] = v * (0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)-1)))
	}
	best, bestP := 0.0, -1.0
	scan := func(from, to, step float64) {
		for f := from; f <= to; f += step {
			if pw := goertzel(w, f, rate); pw > bestP {
				best, bestP = f, pw
			}
		}
	}
	scan(detectLowHz, detectHighHz, 10)
	scan(best-10, best+10, 0.5)
	return best
}

// goertzel is the power of x at frequency f.
func goertzel(x []float64, f float64, rate int) float64 {
	c := 2 * math.Cos(2*math.Pi*f/float64(rate))
	var s1, s2 float64
	for _, v := range x {
		s0 := v + c*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - c*s1*s2
}
