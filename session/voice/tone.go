package voice

import "math"

// Tone returns d seconds of a sine of hz at half full scale (what tests and bosctl send
// instead of a microphone).
func Tone(hz float64, seconds float64) []float32 {
	n := int(seconds * SampleRate)
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(0.5 * math.Sin(2*math.Pi*hz*float64(i)/SampleRate))
	}
	return out
}

// Goertzel returns the power of pcm at hz, normalised by the number of samples.
func Goertzel(pcm []float32, hz float64) float64 {
	if len(pcm) == 0 {
		return 0
	}
	w := 2 * math.Pi * hz / SampleRate
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, x := range pcm {
		s := float64(x) + coeff*s1 - s2
		s2, s1 = s1, s
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	return p / float64(len(pcm)) / float64(len(pcm))
}

// DominantHz returns the frequency between lo and hi (in steps of step Hz) with the most power
// in pcm by Goertzel.
func DominantHz(pcm []float32, lo, hi, step float64) float64 {
	best, bestP := lo, -1.0
	for f := lo; f <= hi; f += step {
		if p := Goertzel(pcm, f); p > bestP {
			best, bestP = f, p
		}
	}
	return best
}
