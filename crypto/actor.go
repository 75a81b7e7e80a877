package crypto

import (
	"context"
	"errors"
)

// errVerifierClosed: the machine is closing, its verification goroutine has ended.
var errVerifierClosed = errors.New("verification is closed")

// actor runs functions one at a time on a goroutine of its own, so the state only they touch
// needs no lock. The verifier's state and every call into the verification helper go through
// it, which also orders the helper's handling of incoming events with our calls (W7 in
// docs/MAUTRIX.md).
//
// The helper calls back into our code synchronously (with its own lock held) from inside the
// calls the actor makes. Those callbacks carry the context the actor gave the call, marked as
// running on the actor (onActor), and do their work inline instead of queueing behind
// themselves.
type actor struct {
	ops  chan func()
	quit chan struct{}
	done chan struct{}
}

type onActorKey struct{}

func newActor() *actor {
	a := &actor{ops: make(chan func()), quit: make(chan struct{}), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *actor) run() {
	defer close(a.done)
	for {
		select {
		case op := <-a.ops:
			op()
		case <-a.quit:
			return
		}
	}
}

// onActor reports whether ctx is that of a function the actor runs.
func (a *actor) onActor(ctx context.Context) bool {
	return ctx != nil && ctx.Value(onActorKey{}) == a
}

// do runs fn on the actor and waits for it; inline if ctx is already the actor's. It fails
// without running fn when ctx ends before the actor took fn up, or the actor stopped. A panic
// of fn goes on in the caller's goroutine (where recoverAs may catch it), not the actor's.
func (a *actor) do(ctx context.Context, fn func(ctx context.Context)) error {
	if a.onActor(ctx) {
		fn(ctx)
		return nil
	}
	actx := context.WithValue(ctx, onActorKey{}, a)
	finished := make(chan any, 1)
	op := func() {
		defer func() { finished <- recover() }()
		fn(actx)
	}
	select {
	case a.ops <- op:
	case <-ctx.Done():
		return ctx.Err()
	case <-a.quit:
		return errVerifierClosed
	}
	if r := <-finished; r != nil {
		panic(r)
	}
	return nil
}

// async runs fn on the actor without waiting: inline if ctx is the actor's, else queued from a
// goroutine of its own (the caller may hold a lock the actor is waiting for, such as the helper's
// in its expiry goroutine). Dropped once the actor stopped.
func (a *actor) async(ctx context.Context, fn func(ctx context.Context)) {
	if a.onActor(ctx) {
		fn(ctx)
		return
	}
	go func() { _ = a.do(context.WithoutCancel(ctx), fn) }()
}

// stop ends the actor after the function it runs, if any; later calls fail.
func (a *actor) stop() {
	select {
	case <-a.quit:
	default:
		close(a.quit)
	}
	<-a.done
}
