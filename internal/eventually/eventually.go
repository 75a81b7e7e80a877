// Package eventually waits in tests for a condition that becomes true asynchronously (a message
// arrives, a process writes a file, a server answers), polling it with a short backoff until a
// timeout. It is the one polling loop of the test suite: tests do not write their own deadline
// loops, and they wait for a positive signal rather than sleeping to show that nothing happened.
package eventually

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// Poll intervals: the first retry comes quickly, later ones back off up to maxInterval.
const (
	minInterval = 10 * time.Millisecond
	maxInterval = 100 * time.Millisecond
)

// errNotYet is what True's condition reports while it is false.
var errNotYet = errors.New("condition not met")

// True polls cond until it returns true; when timeout passes first, the test fails with
// "timed out after TIMEOUT waiting for WHAT". cond runs on the test goroutine and may call
// t.Fatal itself.
func True(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	err := Wait(timeout, func() error {
		if cond() {
			return nil
		}
		return errNotYet
	})
	if err != nil {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// NoError polls cond until it returns nil; when timeout passes first, the test fails with
// cond's last error.
func NoError(t testing.TB, timeout time.Duration, cond func() error) {
	t.Helper()
	if err := Wait(timeout, cond); err != nil {
		t.Fatal(err)
	}
}

// Wait polls cond until it returns nil and returns nil, or returns an error with cond's last
// error once timeout has passed (for helpers that must not fail the test themselves, or poll
// outside the test goroutine).
func Wait(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	interval := minInterval
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("timed out after %v: %w", timeout, err)
		}
		time.Sleep(min(interval, time.Until(deadline)+time.Millisecond))
		interval = min(2*interval, maxInterval)
	}
}
