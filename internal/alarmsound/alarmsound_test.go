package alarmsound

import (
	"fmt"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
)

// The tone has four beeps of two pitches and a silent pause per cycle, and loops.
func TestToneShape(t *testing.T) {
	var loud, silent int
	for i := range uint64(CycleSamples) {
		if Sample(i) == 0 {
			silent++
		} else {
			loud++
		}
		if Sample(i) != Sample(i+CycleSamples) {
			t.Fatalf("sample %d does not loop", i)
		}
	}
	if loud < CycleSamples/3 || silent < CycleSamples/3 {
		t.Fatalf("loud %d silent %d of %d", loud, silent, CycleSamples)
	}
	if Sample(CycleSamples-1) != 0 {
		t.Fatal("the cycle must end in the pause")
	}
}

// On the null backend the player renders frames while it plays and none after Stop; Start twice
// is harmless, and a closed player does not start.
func TestNullPlayerStartStop(t *testing.T) {
	p := NewNull()
	defer p.Close()
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	eventually.NoError(t, 5*time.Second, func() error {
		if n := p.Frames(); n < SampleRate/10 {
			return fmt.Errorf("only %d frames rendered", n)
		}
		return nil
	})

	if !p.Playing() {
		t.Fatal("not playing")
	}
	p.Stop()
	n := p.Frames()
	time.Sleep(300 * time.Millisecond)
	if p.Playing() || p.Frames() != n {
		t.Fatalf("still playing after Stop: %d -> %d frames", n, p.Frames())
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := p.Start(); err != ErrClosed {
		t.Fatalf("start after close: %v", err)
	}
}
