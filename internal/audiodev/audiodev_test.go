//go:build cgo

package audiodev

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"bosmessenger/internal/eventually"
)

// Capture and playback devices on the null backend run: their data callbacks are called.
func TestNullDevicesRun(t *testing.T) {
	for _, kind := range []malgo.DeviceType{malgo.Capture, malgo.Playback} {
		var frames atomic.Int64
		ctx, dev, err := Open(Null(), Config{Kind: kind, Format: malgo.FormatS16, SampleRate: 48000, PeriodMs: 10},
			func(_, _ []byte, n uint32) { frames.Add(int64(n)) })
		if err != nil {
			t.Fatalf("kind %d: %v", kind, err)
		}
		eventually.True(t, 10*time.Second, "frames from the null device", func() bool { return frames.Load() > 0 })
		Stop(dev)
		FreeContext(ctx)
	}
}

// A device that cannot be initialised fails with ErrOpen and leaves nothing open.
func TestStartFailureIsErrOpen(t *testing.T) {
	ctx, err := InitContext(Null())
	if err != nil {
		t.Fatal(err)
	}
	defer FreeContext(ctx)
	_, err = Start(ctx, Config{Kind: malgo.Loopback, Format: malgo.FormatS16, SampleRate: 48000}, func(_, _ []byte, _ uint32) {})
	if !errors.Is(err, ErrOpen) {
		t.Fatalf("loopback device (WASAPI only): %v, want ErrOpen", err)
	}
	dev, err := Start(ctx, Config{Kind: malgo.Playback, Format: malgo.FormatF32, SampleRate: 44100}, func(_, _ []byte, _ uint32) {})
	if err != nil {
		t.Fatalf("the context is still usable: %v", err)
	}
	Stop(dev)
}
