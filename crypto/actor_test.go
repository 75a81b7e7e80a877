package crypto

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"
)

// Functions given to the actor from many goroutines never overlap, a nested do (from a function
// the actor runs, as the helper's callbacks are) runs inline instead of deadlocking, and async
// from outside is queued.
func TestActorRunsOneAtATime(t *testing.T) {
	a := newActor()
	defer a.stop()
	var running, overlaps, nested atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := a.do(context.Background(), func(ctx context.Context) {
				if running.Add(1) != 1 {
					overlaps.Add(1)
				}
				time.Sleep(time.Millisecond)
				if err := a.do(ctx, func(context.Context) { nested.Add(1) }); err != nil {
					t.Error(err)
				}
				a.async(ctx, func(context.Context) { nested.Add(1) })
				running.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if overlaps.Load() != 0 || nested.Load() != 40 {
		t.Fatalf("overlaps %d, nested calls %d (want 0, 40)", overlaps.Load(), nested.Load())
	}
	done := make(chan struct{})
	a.async(context.Background(), func(context.Context) { close(done) })
	<-done
}

// A panic of a function goes on in the caller's goroutine and leaves the actor working; a
// stopped actor refuses work, and a caller whose context ends while the actor is busy gives up.
func TestActorPanicsStopAndCancel(t *testing.T) {
	a := newActor()
	func() {
		var err error
		defer func() {
			if err == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		defer recoverAs(&err)
		_ = a.do(context.Background(), func(context.Context) { panic("helper bug") })
	}()
	release := make(chan struct{})
	busy := make(chan struct{})
	go func() {
		_ = a.do(context.Background(), func(context.Context) { close(busy); <-release })
	}()
	<-busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := a.do(ctx, func(context.Context) { ran = true }); !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("do with an ended context while busy: %v, ran %v", err, ran)
	}
	close(release)
	if err := a.do(context.Background(), func(context.Context) {}); err != nil {
		t.Fatalf("actor after a panic: %v", err)
	}
	a.stop()
	if err := a.do(context.Background(), func(context.Context) { ran = true }); !errors.Is(err, errVerifierClosed) || ran {
		t.Fatalf("do after stop: %v, ran %v", err, ran)
	}
}

// Readers of verifications (the GUI's list, WaitVerification) do not wait for the actor, which
// may be busy with a slow call into the helper: they read what it published last.
func TestVerificationsReadWhileActorBusy(t *testing.T) {
	v := &verifier{act: newActor(), txns: map[id.VerificationTransactionID]*Verification{}}
	defer v.act.stop()
	v.publish()
	m := &Machine{verify: v}
	_ = v.act.do(context.Background(), func(context.Context) {
		v.update("txn1", func(x *Verification) { x.State = VerificationRequested })
	})
	release := make(chan struct{})
	busy := make(chan struct{})
	go func() {
		_ = v.act.do(context.Background(), func(context.Context) {
			close(busy)
			<-release
			v.update("txn1", func(x *Verification) { x.State = VerificationReady })
		})
	}()
	<-busy
	got := make(chan []Verification, 1)
	go func() { got <- m.Verifications() }()
	select {
	case list := <-got:
		if len(list) != 1 || list[0].State != VerificationRequested {
			t.Fatalf("verifications while busy: %+v", list)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Verifications waited for the busy actor")
	}
	waited := make(chan Verification, 1)
	go func() {
		x, err := m.WaitVerification(context.Background(), "txn1", Verification{State: VerificationRequested})
		if err != nil {
			t.Error(err)
		}
		waited <- x
	}()
	close(release)
	if x := <-waited; x.State != VerificationReady {
		t.Fatalf("WaitVerification gave %+v", x)
	}
}
