//go:build cgo

package callmedia

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
)

func openNull(t *testing.T) *Audio {
	t.Helper()
	a, err := OpenNullAudio()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// The null backend lists a microphone and a speaker, both can be chosen by ID, the
// microphone delivers frames in real time (silence) and the speaker plays what it is given.
func TestNullAudioDevices(t *testing.T) {
	a := openNull(t)
	mics, err := a.Microphones()
	if err != nil || len(mics) == 0 || mics[0].Name == "" {
		t.Fatalf("microphones %+v, %v", mics, err)
	}
	spks, err := a.Speakers()
	if err != nil || len(spks) == 0 {
		t.Fatalf("speakers %+v, %v", spks, err)
	}
	mic, err := a.OpenMicrophone(mics[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, FrameSamples)
	start := time.Now()
	for range 10 {
		if err := mic.ReadFrame(pcm); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("10 frames in %v: the microphone does not run in real time", d)
	}
	if mic.Level() != 0 {
		t.Fatalf("null microphone level %v", mic.Level())
	}
	done := make(chan error)
	go func() { done <- mic.ReadFrame(pcm) }()
	_ = mic.Close()
	_ = mic.Close()
	if err := <-done; err != nil && !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	if err := mic.ReadFrame(pcm); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}

	spk, err := a.OpenSpeaker("")
	if err != nil {
		t.Fatal(err)
	}
	defer spk.Close()
	tone := NewTone(440)
	for range 5 {
		_ = tone.ReadFrame(pcm)
		spk.WriteFrame(pcm)
	}
	if spk.Level() < 0.4 {
		t.Fatalf("speaker level %v", spk.Level())
	}
	waitFor(t, "playback", func() bool { return spk.Played() >= 5*FrameSamples })
}

// An unknown device ID fails with ErrNoAudioDevice; a closed context with ErrClosed.
func TestAudioDeviceErrors(t *testing.T) {
	a := openNull(t)
	for _, id := range []string{"zz", "0badc0de"} {
		if _, err := a.OpenMicrophone(id); !errors.Is(err, ErrNoAudioDevice) {
			t.Fatalf("microphone %q: %v", id, err)
		}
		if _, err := a.OpenSpeaker(id); !errors.Is(err, ErrNoAudioDevice) {
			t.Fatalf("speaker %q: %v", id, err)
		}
	}
	a.Close()
	if _, err := a.Microphones(); !errors.Is(err, ErrClosed) {
		t.Fatalf("list after close: %v", err)
	}
}

// The microphone of the null backend feeds a call: the other side receives frames, silent.
func TestPeerWithNullMicrophone(t *testing.T) {
	a := openNull(t)
	mic, err := a.OpenMicrophone("")
	if err != nil {
		t.Fatal(err)
	}
	defer mic.Close()
	spk, err := a.OpenSpeaker("")
	if err != nil {
		t.Fatal(err)
	}
	defer spk.Close()
	pr := connectPair(t, Config{Source: mic}, Config{Sink: spk})
	waitFor(t, "frames", func() bool { return pr.b.Stats().RTPPacketsIn >= 25 && spk.Played() > 0 })
	if lvl := pr.b.Stats().AudioLevel; lvl > 0.01 {
		t.Fatalf("level %v from a silent microphone", lvl)
	}
}

// The ring drops the oldest audio when full.
func TestPCMRingDropsOldest(t *testing.T) {
	r := newPCMRing()
	for i := range deviceBuffer + 10 {
		r.write([]int16{int16(i)})
	}
	got := make([]int16, 1)
	r.readSome(got)
	if got[0] != 10 {
		t.Fatalf("oldest kept sample %d, want 10", got[0])
	}
	big := make([]int16, 2*deviceBuffer)
	for i := range big {
		big[i] = int16(i)
	}
	r.write(big)
	r.readSome(got)
	if got[0] != int16(deviceBuffer) {
		t.Fatalf("after an oversized write the first sample is %d", got[0])
	}
	r.keepLatest(micBacklog)
	r.readSome(got)
	if got[0] != int16(2*deviceBuffer-micBacklog) {
		t.Fatalf("after keepLatest the first sample is %d", got[0])
	}
}

// A speaker's jitter buffer: silence until 40 ms wait, then playback until it runs dry.
func TestPCMRingPrebuffer(t *testing.T) {
	r := newPCMRing()
	starving := true
	out := make([]int16, 480)
	ones := make([]int16, FrameSamples)
	for i := range ones {
		ones[i] = 1
	}
	r.write(ones)
	r.readPrebuffered(out, speakerPrebuffer, &starving)
	if out[0] != 0 || !starving || len(r.buf) != FrameSamples {
		t.Fatal("played before the jitter buffer filled")
	}
	r.write(ones)
	for range 4 {
		r.readPrebuffered(out, speakerPrebuffer, &starving)
		if out[0] != 1 || out[len(out)-1] != 1 || starving {
			t.Fatalf("not playing: %d %v", out[0], starving)
		}
	}
	r.write(ones[:100])
	r.readPrebuffered(out, speakerPrebuffer, &starving)
	if out[99] != 1 || out[100] != 0 || !starving {
		t.Fatal("running dry")
	}
	r.write(ones)
	r.readPrebuffered(out, speakerPrebuffer, &starving)
	if out[0] != 0 {
		t.Fatal("played again before the jitter buffer refilled")
	}
}

// An audio system that is not there (WASAPI on Linux) is ErrNoAudioDevice, as a machine
// without PulseAudio and ALSA is.
func TestOpenAudioWithoutSystem(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("WASAPI exists off Linux")
	}
	if _, err := openAudio([]malgo.Backend{malgo.BackendWasapi}); !errors.Is(err, ErrNoAudioDevice) {
		t.Fatalf("open: %v", err)
	}
}
