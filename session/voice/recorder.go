package voice

import (
	"errors"
	"sync"
	"time"
)

// MaxDuration is the longest voice message the Recorder takes (Element: 15 minutes).
const MaxDuration = 15 * time.Minute

// Errors of recording and playback.
var (
	ErrUnsupported = errors.New("audio devices are not available in this build")
	ErrEmpty       = errors.New("nothing was recorded")
	ErrNotStarted  = errors.New("the recording was not started")
	ErrOverrun     = errors.New("the encoder fell behind the recording; audio was lost")
)

// Source delivers captured audio: after Start it calls push with mono samples at SampleRate,
// in order, from one goroutine at a time, until Stop returns.
type Source interface {
	Start(push func([]float32)) error
	Stop()
}

// backlog is how many captured blocks may wait for the encoder (a device delivers about 100 per
// second: several seconds of a stalled machine).
const backlog = 2048

// Recorder records one voice message from a Source (the microphone: NewMic) up to a maximum
// length, encoding while it records (memory does not grow with the samples); Stop returns the
// clip, Cancel throws it away. Its methods are safe from any goroutine; a Recorder records once.
type Recorder struct {
	src Source
	max int // samples

	mu      sync.Mutex
	running bool
	started bool
	n       int     // samples taken
	level   float32 // peak of the last block
	lost    bool    // a block found the backlog full
	full    chan struct{}
	blocks  chan []float32
	done    chan struct{}
	enc     *streamEncoder
	encErr  error
}

// NewRecorder returns a recorder of src that stops taking audio after max (MaxDuration when 0).
func NewRecorder(src Source, max time.Duration) *Recorder {
	if max <= 0 || max > MaxDuration {
		max = MaxDuration
	}
	return &Recorder{src: src, max: int(max.Seconds() * SampleRate), full: make(chan struct{})}
}

// Start begins recording.
func (r *Recorder) Start() error {
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		return nil
	}
	enc, err := newStreamEncoder()
	if err != nil {
		r.mu.Unlock()
		return err
	}
	r.started, r.running, r.enc = true, true, enc
	r.blocks, r.done = make(chan []float32, backlog), make(chan struct{})
	go r.encode(r.blocks, r.done)
	r.mu.Unlock()
	if err := r.src.Start(r.push); err != nil {
		r.end()
		return err
	}
	return nil
}

func (r *Recorder) encode(blocks <-chan []float32, done chan<- struct{}) {
	defer close(done)
	for b := range blocks {
		if err := r.enc.write(b); err != nil && r.encErr == nil {
			r.encErr = err // read after done is closed
		}
	}
}

func (r *Recorder) push(samples []float32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running || r.n >= r.max {
		return
	}
	samples = samples[:min(len(samples), r.max-r.n)]
	r.n += len(samples)
	peak := float32(0)
	for _, v := range samples {
		peak = max(peak, v, -v)
	}
	r.level = peak
	select {
	case r.blocks <- append([]float32(nil), samples...):
	default:
		r.lost = true
	}
	if r.n >= r.max {
		close(r.full)
	}
}

// Elapsed is the length recorded so far.
func (r *Recorder) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return samplesDuration(r.n)
}

// Level is the loudness of the last captured block, 0..1 (for a level meter).
func (r *Recorder) Level() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return float64(min(r.level, 1))
}

// Full is closed when the maximum length is reached (the caller then stops and sends).
func (r *Recorder) Full() <-chan struct{} { return r.full }

// Recording reports whether the recorder runs.
func (r *Recorder) Recording() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running
}

// Stop ends the recording and returns it encoded (ErrEmpty when nothing came in).
func (r *Recorder) Stop() (*Clip, error) {
	if !r.end() {
		return nil, ErrNotStarted
	}
	switch {
	case r.encErr != nil:
		return nil, r.encErr
	case r.lost:
		return nil, ErrOverrun
	case r.n == 0:
		return nil, ErrEmpty
	}
	return r.enc.finish()
}

// Cancel ends the recording and throws it away.
func (r *Recorder) Cancel() { r.end() }

// end stops the source and the encoder; false when the recorder was not running.
func (r *Recorder) end() bool {
	r.mu.Lock()
	if !r.running {
		r.mu.Unlock()
		return false
	}
	r.mu.Unlock()
	r.src.Stop() // no push after this
	r.mu.Lock()
	if !r.running { // a concurrent end won
		r.mu.Unlock()
		return false
	}
	r.running = false
	close(r.blocks)
	r.mu.Unlock()
	<-r.done
	return true
}
