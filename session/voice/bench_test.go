package voice_test

import (
	"testing"

	"bosmessenger/session/voice"
)

// BenchmarkEncode10s encodes ten seconds of a tone (real-time factor: 10 s / ns per op).
func BenchmarkEncode10s(b *testing.B) {
	pcm := voice.Tone(440, 10)
	var size int
	for b.Loop() {
		clip, err := voice.Encode(pcm)
		if err != nil {
			b.Fatal(err)
		}
		size = len(clip.Ogg)
	}
	b.ReportMetric(float64(size)/10, "bytes/s")
}

// BenchmarkDecode10s decodes ten seconds of Ogg/Opus.
func BenchmarkDecode10s(b *testing.B) {
	clip, err := voice.Encode(voice.Tone(440, 10))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := voice.Decode(clip.Ogg); err != nil {
			b.Fatal(err)
		}
	}
}
