// Package ringbuf keeps the tail of a stream: the last bytes a child process wrote to its stderr,
// for error messages of the test peers (internal/jspeer, internal/jscall).
package ringbuf

import "sync"

// Buffer keeps the last size bytes written to it. It is safe for concurrent use.
type Buffer struct {
	mu      sync.Mutex
	size    int
	buf     []byte
	dropped bool
}

// New returns a Buffer that keeps the last size bytes.
func New(size int) *Buffer { return &Buffer{size: size} }

// Write appends p and drops the oldest bytes beyond the size; it never fails.
func (r *Buffer) Write(p []byte) (int, error) {
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
func (r *Buffer) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dropped {
		return "[...]\n" + string(r.buf)
	}
	return string(r.buf)
}
