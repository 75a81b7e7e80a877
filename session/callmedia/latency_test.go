package callmedia

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// burstSource sends a 1 kHz tone for 100 ms every 500 ms and silence between, noting when each
// burst's first frame left the source.
type burstSource struct {
	tone AudioSource
	mu   sync.Mutex
	n    int
	sent []time.Time
}

func (s *burstSource) ReadFrame(pcm []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := s.n % 25
	s.n++
	if pos >= 5 {
		clear(pcm)
		return nil
	}
	if pos == 0 {
		s.sent = append(s.sent, time.Now())
	}
	return s.tone.ReadFrame(pcm)
}

// onsetSink notes when a loud frame follows a quiet one.
type onsetSink struct {
	mu    sync.Mutex
	loud  bool
	heard []time.Time
}

func (s *onsetSink) WriteFrame(pcm []int16) {
	loud := frameLevel(pcm) > 0.05
	s.mu.Lock()
	defer s.mu.Unlock()
	if loud && !s.loud {
		s.heard = append(s.heard, time.Now())
	}
	s.loud = loud
}

// The delay from a tone leaving the source to its decoded audio reaching the other side's
// sink, over loopback (encoding, pacing, RTP, decoding; no device buffers): the median of 10
// bursts, logged for docs/PERFORMANCE.md, and under 500 ms even on a loaded machine.
func TestPeerLatency(t *testing.T) {
	src := &burstSource{tone: NewTone(1000)}
	sink := &onsetSink{}
	pr := connectPair(t, Config{Source: src}, Config{Sink: sink})
	waitFor(t, "12 bursts", func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return len(sink.heard) >= 12
	})
	_ = pr.a.Close()
	src.mu.Lock()
	sink.mu.Lock()
	defer src.mu.Unlock()
	defer sink.mu.Unlock()
	// Pair each onset heard with the latest burst sent before it; skip the first two (start-up).
	var delays []time.Duration
	for _, h := range sink.heard[2:] {
		i, _ := slices.BinarySearchFunc(src.sent, h, func(a, b time.Time) int { return a.Compare(b) })
		if i == 0 {
			continue
		}
		delays = append(delays, h.Sub(src.sent[i-1]))
	}
	slices.Sort(delays)
	med := delays[len(delays)/2]
	t.Logf("source to sink over loopback: median %v, min %v, max %v of %d bursts", med, delays[0], delays[len(delays)-1], len(delays))
	if med > 500*time.Millisecond {
		t.Fatalf("median delay %v", med)
	}
}
