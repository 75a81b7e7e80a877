package voice

import "math"

// WaveformPoints is how many values a waveform has; WaveformMax is the loudest value (MSC1767
// audio, as Element sends it: amplitudes in 0..1 times 1024).
const (
	WaveformPoints = 100
	WaveformMax    = 1024
)

// loudBlock is the length of the blocks whose energy loudness keeps (5 ms: a half-second clip
// still has 100 of them).
const loudBlock = SampleRate / 200

// loudness keeps the energy (sum of squares) per block of loudBlock samples, so a waveform can
// be drawn without keeping the samples.
type loudness struct {
	sums []float64
	last int // samples in the last block
}

func (l *loudness) add(pcm []float32) {
	for _, v := range pcm {
		if len(l.sums) == 0 || l.last == loudBlock {
			l.sums, l.last = append(l.sums, 0), 0
		}
		l.sums[len(l.sums)-1] += float64(v) * float64(v)
		l.last++
	}
}

// waveform splits the blocks into points buckets and returns each bucket's RMS scaled to
// 0..WaveformMax, normalised so that the loudest bucket is WaveformMax (a quiet recording still
// shows its shape). Silence gives zeros; fewer blocks than points give fewer values.
func (l *loudness) waveform(points int) []int {
	n := len(l.sums)
	if points <= 0 || n == 0 {
		return []int{}
	}
	points = min(points, n)
	rms := make([]float64, points)
	top := 0.0
	for i := range points {
		lo, hi := i*n/points, (i+1)*n/points
		var sum float64
		count := 0
		for b := lo; b < hi; b++ {
			sum += l.sums[b]
			count += loudBlock
			if b == n-1 {
				count += l.last - loudBlock
			}
		}
		rms[i] = math.Sqrt(sum / float64(max(count, 1)))
		top = max(top, rms[i])
	}
	out := make([]int, points)
	if top < 1e-6 {
		return out
	}
	for i, p := range rms {
		out[i] = int(math.Round(min(p/top, 1) * WaveformMax))
	}
	return out
}

// Waveform is the waveform of pcm with (at most) points values; see loudness.waveform.
func Waveform(pcm []float32, points int) []int {
	var l loudness
	l.add(pcm)
	return l.waveform(points)
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
