package voice

import "math"

// WaveformPoints is how many values a waveform has; WaveformMax is the loudest value (MSC1767
// audio, as Element sends it: amplitudes in 0..1 times 1024).
const (
	WaveformPoints = 100
	WaveformMax    = 1024
)

// Waveform splits pcm into points buckets and returns each bucket's peak amplitude scaled to
// 0..WaveformMax, normalised so that the loudest bucket is WaveformMax (a quiet recording still
// shows its shape). Silence gives zeros; fewer samples than points give fewer values.
func Waveform(pcm []float32, points int) []int {
	if points <= 0 || len(pcm) == 0 {
		return []int{}
	}
	points = min(points, len(pcm))
	peaks := make([]float64, points)
	top := 0.0
	for i := range points {
		lo, hi := i*len(pcm)/points, (i+1)*len(pcm)/points
		var sum float64
		for _, v := range pcm[lo:hi] {
			sum += float64(v) * float64(v)
		}
		rms := math.Sqrt(sum / float64(max(hi-lo, 1)))
		peaks[i] = rms
		top = max(top, rms)
	}
	out := make([]int, points)
	if top < 1e-6 {
		return out
	}
	for i, p := range peaks {
		out[i] = int(math.Round(min(p/top, 1) * WaveformMax))
	}
	return out
}

// Resample stretches or squeezes a waveform to n values (the GUI draws a fixed number of bars;
// received waveforms have any length). Values stay in 0..WaveformMax.
func Resample(w []int, n int) []int {
	out := make([]int, n)
	if len(w) == 0 || n <= 0 {
		return out
	}
	for i := range n {
		v := w[i*len(w)/n]
		out[i] = max(0, min(v, WaveformMax))
	}
	return out
}
