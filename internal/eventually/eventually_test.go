package eventually

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitReturnsOnceTheConditionHolds(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	err := Wait(5*time.Second, func() error {
		if calls.Add(1) < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls.Load() != 3 {
		t.Fatalf("Wait = %v after %d calls, want nil after 3", err, calls.Load())
	}
}

func TestWaitTimesOutWithTheLastError(t *testing.T) {
	t.Parallel()
	start := time.Now()
	err := Wait(100*time.Millisecond, func() error { return errors.New("still missing") })
	if err == nil || !strings.Contains(err.Error(), "still missing") || !strings.Contains(err.Error(), "timed out after 100ms") {
		t.Fatalf("Wait = %v, want a timeout naming the last error", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Fatalf("Wait returned after %v, want about 100ms", d)
	}
}

// recorder is a testing.TB that records Fatal instead of stopping the goroutine.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = format
}

func (r *recorder) Fatal(args ...any) {
	r.failed = "fatal"
}

func TestTrueFailsTheTestOnTimeout(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	True(r, 50*time.Millisecond, "something", func() bool { return false })
	if r.failed == "" {
		t.Fatal("True did not fail the test on timeout")
	}
	r = &recorder{TB: t}
	True(r, time.Second, "something", func() bool { return true })
	NoError(r, time.Second, func() error { return nil })
	if r.failed != "" {
		t.Fatalf("True or NoError failed although the condition held: %s", r.failed)
	}
	NoError(r, 50*time.Millisecond, func() error { return errors.New("no") })
	if r.failed == "" {
		t.Fatal("NoError did not fail the test on timeout")
	}
}
