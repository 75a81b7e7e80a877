package voice

import (
	"math"
	"sync"
	"time"
)

// ToneSource is a Source of a sine tone delivered at the pace of the clock (as a microphone
// would deliver it), for tests and for sending without a microphone.
type ToneSource struct {
	Hz float64

	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

// NewToneSource returns a source of a sine of hz.
func NewToneSource(hz float64) *ToneSource { return &ToneSource{Hz: hz} }

// Start delivers the tone in 20 ms blocks until Stop.
func (t *ToneSource) Start(push func([]float32)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stop != nil {
		return nil
	}
	t.stop, t.done = make(chan struct{}), make(chan struct{})
	go t.run(push, t.stop, t.done)
	return nil
}

func (t *ToneSource) run(push func([]float32), stop, done chan struct{}) {
	defer close(done)
	start := time.Now()
	sent := 0
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		due := int(time.Since(start).Seconds() * SampleRate)
		if due <= sent {
			continue
		}
		block := make([]float32, due-sent)
		for i := range block {
			block[i] = float32(0.5 * math.Sin(2*math.Pi*t.Hz*float64(sent+i)/SampleRate))
		}
		sent = due
		push(block)
	}
}

// Stop ends the delivery; no push follows once it returned.
func (t *ToneSource) Stop() {
	t.mu.Lock()
	stop, done := t.stop, t.done
	t.stop, t.done = nil, nil
	t.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}
