package jscall

import "sync"

// ringBuffer keeps the last size bytes written to it (the driver's stderr).
type ringBuffer struct {
	mu      sync.Mutex
	size    int
	buf     []byte
	dropped bool
}

func newRingBuffer(size int) *ringBuffer { return &ringBuffer{size: size} }

func (r *ringBuffer) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, p...)
	if over := len(r.buf) - r.size; over > 0 {
		r.buf = append(r.buf[:0], r.buf[over:]...)
		r.dropped = true
	}
	return len(p), nil
}

// String returns the kept bytes, marked when older output was dropped.
func (r *ringBuffer) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dropped {
		return "[...]\n" + string(r.buf)
	}
	return string(r.buf)
}
