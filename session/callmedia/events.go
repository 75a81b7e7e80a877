package callmedia

import "sync"

// events runs callbacks one after another on their own goroutine, in the order they were
// pushed, so that a callback may call back into the Peer (even Close) without deadlocks.
type events struct {
	mu     sync.Mutex
	q      []func()
	closed bool
	wake   chan struct{}
	done   chan struct{}
}

func newEvents() *events {
	e := &events{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go e.run()
	return e
}

// push queues f; after close it is dropped.
func (e *events) push(f func()) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.q = append(e.q, f)
	e.mu.Unlock()
	e.signal()
}

// close lets the queue run dry and the goroutine end.
func (e *events) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.signal()
}

func (e *events) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *events) run() {
	defer close(e.done)
	for {
		e.mu.Lock()
		q, closed := e.q, e.closed
		e.q = nil
		e.mu.Unlock()
		for _, f := range q {
			f()
		}
		if closed {
			return
		}
		<-e.wake
	}
}
