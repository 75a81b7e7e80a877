package callmedia

// NewTone returns a source of a sine tone of hz, paced in real time.
func NewTone(hz float64) AudioSource { return nil }

// ToneDetector is an AudioSink that finds the dominant frequency of what it receives.
type ToneDetector struct{}

// NewToneDetector returns an empty detector.
func NewToneDetector() *ToneDetector { return &ToneDetector{} }

// WriteFrame takes received audio.
func (d *ToneDetector) WriteFrame(pcm []int16) {}

// DominantHz is the strongest frequency received, 0 when nothing or silence was received.
func (d *ToneDetector) DominantHz() float64 { return 0 }
