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
)

// Source delivers captured audio: after Start it calls push with mono samples at SampleRate,
// in order, from one goroutine at a time, until Stop returns.
type Source interface {
	Start(push func([]float32)) error
	Stop()
}

// Recorder records one voice message from a Source (the microphone: NewMic) up to a maximum
// length; Stop encodes it, Cancel throws it away. Its methods are safe from any goroutine.
type Recorder struct {
	src Source
	max int // samples

	mu      sync.Mutex
	pcm     []float32
	running bool
	full    chan struct{}
}

// NewRecorder returns a recorder of src that stops taking audio after max (MaxDuration when 0).
func NewRecorder(src Source, max time.Duration) *Recorder {
	if max <= 0 {
		max = MaxDuration
	}
	return &Recorder{src: src, max: int(max.Seconds() * SampleRate), full: make(chan struct{})}
}

// Start begins recording.
func (r *Recorder) Start() error {
	r.mu.Lock()
	if r.running {
		r.mu.Unlock()
		return nil
	}
	r.running, r.pcm = true, r.pcm[:0]
	r.mu.Unlock()
	if err := r.src.Start(r.push); err != nil {
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
		return err
	}
	return nil
}

func (r *Recorder) push(samples []float32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running || len(r.pcm) >= r.max {
		return
	}
	room := r.max - len(r.pcm)
	r.pcm = append(r.pcm, samples[:min(len(samples), room)]...)
	if len(r.pcm) >= r.max {
		select {
		case <-r.full:
		default:
			close(r.full)
		}
	}
}

// Elapsed is the length recorded so far.
func (r *Recorder) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return samplesDuration(len(r.pcm))
}

// Level is the loudness of the last 50 ms, 0..1 (for a level meter).
func (r *Recorder) Level() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	tail := r.pcm[max(0, len(r.pcm)-SampleRate/20):]
	peak := float32(0)
	for _, v := range tail {
		peak = max(peak, v, -v)
	}
	return float64(min(peak, 1))
}

// Full is closed when the maximum length is reached (the caller then stops and sends).
func (r *Recorder) Full() <-chan struct{} { return r.full }

// Recording reports whether the recorder runs.
func (r *Recorder) Recording() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running
}

// Stop ends the recording and encodes it (ErrEmpty when nothing came in).
func (r *Recorder) Stop() (*Clip, error) {
	pcm, err := r.end()
	if err != nil {
		return nil, err
	}
	if len(pcm) == 0 {
		return nil, ErrEmpty
	}
	return Encode(pcm)
}

// Cancel ends the recording and throws it away.
func (r *Recorder) Cancel() {
	_, _ = r.end()
	r.mu.Lock()
	r.pcm = nil
	r.mu.Unlock()
}

func (r *Recorder) end() ([]float32, error) {
	r.mu.Lock()
	if !r.running {
		r.mu.Unlock()
		return nil, ErrNotStarted
	}
	r.mu.Unlock()
	r.src.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running = false
	return r.pcm, nil
}
