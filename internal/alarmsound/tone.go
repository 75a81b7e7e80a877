package alarmsound

import "math"

// The tone: a cycle of four short beeps, alternating between two pitches, then a pause, like a
// pager's alarm.
const (
	beepLen   = SampleRate * 15 / 100 // 150 ms
	gapLen    = SampleRate * 5 / 100  // 50 ms
	beeps     = 4
	pauseLen  = SampleRate * 7 / 10 // 700 ms
	cycleLen  = beeps*(beepLen+gapLen) + pauseLen
	fadeLen   = SampleRate / 200 // 5 ms ramps against clicks
	amplitude = 0.45 * math.MaxInt16
)

// CycleSamples is the length of one cycle of the tone in samples.
const CycleSamples = cycleLen

// Sample is sample i of the looping tone.
func Sample(i uint64) int16 {
	c := int(i % cycleLen)
	beep := c / (beepLen + gapLen)
	if beep >= beeps {
		return 0
	}
	k := c % (beepLen + gapLen)
	if k >= beepLen {
		return 0
	}
	freq := 1000.0
	if beep%2 == 1 {
		freq = 1250.0
	}
	gain := 1.0
	if k < fadeLen {
		gain = float64(k) / fadeLen
	} else if k > beepLen-fadeLen {
		gain = float64(beepLen-k) / fadeLen
	}
	return int16(amplitude * gain * math.Sin(2*math.Pi*freq*float64(k)/SampleRate))
}
