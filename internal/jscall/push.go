package jscall

import (
	"context"
	"fmt"
	"sync"
)

// Push is a call event from the page.
type Push struct {
	Kind    string `json:"push"` // "incoming", "state", "hangup" or "error"
	CallID  string `json:"call_id"`
	RoomID  string `json:"room_id,omitempty"` // incoming
	State   string `json:"state,omitempty"`   // state: the new CallState ("connected", "ended", ...)
	Old     string `json:"old,omitempty"`     // state: the previous one
	Reason  string `json:"reason,omitempty"`  // hangup: the CallErrorCode ("user_hangup", ...)
	Party   string `json:"party,omitempty"`   // hangup: "local" or "remote"
	Message string `json:"message,omitempty"` // error
}

// pushLog keeps every push and wakes waiters on each new one.
type pushLog struct {
	mu    sync.Mutex
	all   []Push
	added chan struct{} // closed and replaced on add
}

func newPushLog() *pushLog { return &pushLog{added: make(chan struct{})} }

func (l *pushLog) add(p Push) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, p)
	close(l.added)
	l.added = make(chan struct{})
}

// wait returns the first push that match accepts, waiting for it until ctx ends.
func (l *pushLog) wait(ctx context.Context, what string, match func(Push) bool) (Push, error) {
	for {
		l.mu.Lock()
		for _, p := range l.all {
			if match(p) {
				l.mu.Unlock()
				return p, nil
			}
		}
		added := l.added
		seen := append([]Push(nil), l.all...)
		l.mu.Unlock()
		select {
		case <-added:
		case <-ctx.Done():
			return Push{}, fmt.Errorf("failed to see %s (pushes so far: %+v): %w", what, seen, ctx.Err())
		}
	}
}

// Pushes returns all call events the page sent so far.
func (p *Peer) Pushes() []Push {
	p.pushes.mu.Lock()
	defer p.pushes.mu.Unlock()
	return append([]Push(nil), p.pushes.all...)
}
