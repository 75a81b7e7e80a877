//go:build cgo

package voice_test

import (
	"testing"
	"time"

	"bosmessenger/session/voice"
)

// The null backend's microphone records (silence) at the pace of a device, and the player
// plays a clip to its end, through miniaudio as on a real machine.
func TestNullDevicesRecordAndPlay(t *testing.T) {
	rec := voice.NewRecorder(voice.NewNullMic(), 200*time.Millisecond)
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rec.Full():
	case <-time.After(30 * time.Second):
		t.Fatal("the null microphone delivered nothing")
	}
	clip, err := rec.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if clip.DurationMS() != 200 {
		t.Fatalf("recorded %d ms", clip.DurationMS())
	}

	p := voice.NewNullPlayer()
	defer p.Close()
	done := make(chan struct{})
	pcm := voice.Tone(440, 0.2)
	if err := p.Play(pcm, func() { close(done) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("playback never ended")
	}
	if p.Position() != int64(len(pcm)) {
		t.Fatalf("played %d of %d samples", p.Position(), len(pcm))
	}
}
