package voice_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"bosmessenger/session/voice"
)

// A tone survives encoding to Ogg/Opus and decoding back: same length (within a frame), same
// frequency by Goertzel, a waveform of WaveformPoints values in 0..1024.
func TestEncodeDecodeKeepsTone(t *testing.T) {
	pcm := voice.Tone(440, 1.5)
	clip, err := voice.Encode(pcm)
	if err != nil {
		t.Fatal(err)
	}
	if string(clip.Ogg[:4]) != "OggS" {
		t.Fatalf("not an Ogg stream: % x", clip.Ogg[:8])
	}
	if clip.DurationMS() != 1500 {
		t.Fatalf("duration %d ms, want 1500", clip.DurationMS())
	}
	if len(clip.Ogg) > 8000 { // 24 kbit/s: about 4.5 kB for 1.5 s plus Ogg overhead
		t.Fatalf("clip of %d bytes for 1.5 s: bitrate not applied", len(clip.Ogg))
	}
	if len(clip.Waveform) != voice.WaveformPoints {
		t.Fatalf("waveform has %d points, want %d", len(clip.Waveform), voice.WaveformPoints)
	}
	for i, v := range clip.Waveform {
		if v < 0 || v > voice.WaveformMax {
			t.Fatalf("waveform[%d] = %d out of range", i, v)
		}
	}
	out, err := voice.Decode(clip.Ogg)
	if err != nil {
		t.Fatal(err)
	}
	if d := len(out) - len(pcm); d < 0 || d > 960+312 {
		t.Fatalf("decoded %d samples for %d", len(out), len(pcm))
	}
	if hz := voice.DominantHz(out[4800:], 200, 2000, 10); math.Abs(hz-440) > 10 {
		t.Fatalf("decoded tone at %.0f Hz, want 440", hz)
	}
	parsed, err := voice.Parse(clip.Ogg)
	if err != nil {
		t.Fatal(err)
	}
	if d := parsed.DurationMS() - 1500; d < 0 || d > 30 {
		t.Fatalf("parsed duration %d ms, want 1500", parsed.DurationMS())
	}
}

func TestDecodeRejectsOtherData(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("RIFF....WAVEfmt "), []byte("OggS garbage")} {
		if _, err := voice.Decode(data); !errors.Is(err, voice.ErrNotOpus) {
			t.Errorf("Decode(%q) = %v, want ErrNotOpus", data, err)
		}
	}
}

// The waveform follows loudness: a silent half then a loud half gives low then high values.
func TestWaveformFollowsLoudness(t *testing.T) {
	pcm := append(make([]float32, 48000), voice.Tone(300, 1)...)
	w := voice.Waveform(pcm, 10)
	if len(w) != 10 || w[0] != 0 || w[9] != voice.WaveformMax {
		t.Fatalf("waveform %v", w)
	}
	if got := voice.Waveform(make([]float32, 24000), 100); len(got) != 100 || got[50] != 0 {
		t.Fatalf("silence: %v", got)
	}
	if got := voice.Waveform(voice.Tone(300, 0.01), 100); len(got) != 2 { // 5 ms blocks
		t.Fatalf("10 ms: %v", got)
	}
	if r := voice.Resample([]int{0, 1024}, 4); r[0] != 0 || r[3] != 1024 {
		t.Fatalf("resample %v", r)
	}
}

// The recorder takes a tone source up to its maximum length, signals Full, and Stop encodes
// what came in; Cancel throws it away.
func TestRecorderMaxLengthAndCancel(t *testing.T) {
	rec := voice.NewRecorder(voice.NewToneSource(660), 300*time.Millisecond)
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rec.Full():
	case <-time.After(30 * time.Second):
		t.Fatal("the recorder never reached its maximum length")
	}
	clip, err := rec.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if clip.DurationMS() != 300 || len(clip.Waveform) != 60 {
		t.Fatalf("recorded %d ms with %d waveform values, want 300 (the maximum) and 60", clip.DurationMS(), len(clip.Waveform))
	}
	pcm, err := voice.Decode(clip.Ogg)
	if err != nil {
		t.Fatal(err)
	}
	if hz := voice.DominantHz(pcm[2400:], 200, 2000, 10); math.Abs(hz-660) > 10 {
		t.Fatalf("recorded tone at %.0f Hz, want 660", hz)
	}

	rec2 := voice.NewRecorder(voice.NewToneSource(660), time.Minute)
	if err := rec2.Start(); err != nil {
		t.Fatal(err)
	}
	for rec2.Elapsed() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	rec2.Cancel()
	if rec2.Recording() {
		t.Fatal("still recording after Cancel")
	}
	if _, err := rec2.Stop(); !errors.Is(err, voice.ErrNotStarted) {
		t.Fatalf("Stop after Cancel: %v", err)
	}
}
