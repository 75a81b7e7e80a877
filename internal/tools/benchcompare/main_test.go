package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"
)

// The tool runs end to end on a tiny seed (2 rooms x 3 messages, one run each, a fresh uncached
// server) and prints the medians and both ratio lines. Nothing here is timed.
func TestBenchCompareTinySeed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cfg := config{rooms: 2, messages: 3, runs: 1, limit: 50, cacheDir: t.TempDir()}
	if err := run(ctx, cfg, &out); err != nil {
		t.Fatalf("bench-compare: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	for _, re := range []string{
		`(?m)^machine: \d+ x `,
		`(?m)^commit: \S+`,
		`(?m)^run 1 matrix-js-sdk +\d+ ms`,
		`(?m)^run 1 bosctl +\d+ ms`,
		`(?m)^median matrix-js-sdk: \d+ ms \(login \d+ ms\), peak RSS \d+\.\d MB$`,
		`(?m)^median bosctl: +\d+ ms \(login \d+ ms\), peak RSS \d+\.\d MB$`,
		`(?m)^ratio time \(bosctl / matrix-js-sdk\): \d+\.\d\d `,
		`(?m)^ratio peak RSS \(bosctl / matrix-js-sdk\): \d+\.\d\d `,
		`(?m)^run 1 bosctl-1proc +\d+ ms`,
		`(?m)^ratio time \(bosctl-1proc / matrix-js-sdk\): \d+\.\d\d `,
	} {
		if !regexp.MustCompile(re).Match(out.Bytes()) {
			t.Errorf("output lacks %s:\n%s", re, out.String())
		}
	}
}
