package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"bosmessenger/internal/benchseed"
	"bosmessenger/internal/jspeer"
)

// config is the command line.
type config struct {
	rooms, messages, runs, limit int
	cacheDir, bosctl             string
}

// sample is one measured login to a complete room list.
type sample struct {
	total  time.Duration // exec of the first process to the milestone
	login  time.Duration // of which login
	rssMB  float64       // peak RSS of the client's processes
	detail string
}

// run seeds (or reuses) the server, measures both clients interleaved and prints the report.
func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.runs < 1 || cfg.rooms < 1 || cfg.messages < 1 || cfg.limit < 1 {
		return fmt.Errorf("failed to start: -runs, -rooms, -messages and -limit must be positive")
	}
	spec := benchseed.Spec{Rooms: cfg.rooms, Messages: cfg.messages}
	srv, err := benchseed.Start(ctx, spec, cfg.cacheDir, logf)
	if err != nil {
		return err
	}
	defer srv.Close()
	tmp, err := os.MkdirTemp("", "bench-compare-")
	if err != nil {
		return fmt.Errorf("failed to create a temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	bosctl := cfg.bosctl
	if bosctl == "" {
		if bosctl, err = buildBosctl(ctx, tmp); err != nil {
			return err
		}
	}
	script, sdkVersion, err := jspeer.BenchSyncScript(ctx)
	if err != nil {
		return err
	}
	js := &jsClient{script: script, srv: srv, limit: cfg.limit}
	ours := &bosctlClient{bin: bosctl, srv: srv, tmp: tmp}

	fmt.Fprintf(out, "bench-compare: login to a complete room list (%d rooms x %d messages, every room with name and last message), fresh device, %d interleaved runs each\n",
		cfg.rooms, cfg.messages, cfg.runs)
	fmt.Fprintf(out, "machine: %s\n", machine())
	fmt.Fprintf(out, "commit: %s\n", commit(ctx))
	fmt.Fprintf(out, "server: Dendrite via internal/testserver at %s (%s, seeded %s)\n", srv.URL, spec.Key(),
		srv.Info.SeededAt.Format(time.RFC3339))
	fmt.Fprintf(out, "matrix-js-sdk %s: node %s, Rust crypto, initialSyncLimit %d, until sync state PREPARED and every room has its name and a last event\n",
		sdkVersion, filepath.Base(script), cfg.limit)
	fmt.Fprintf(out, "bosctl: login, sync --once, rooms --json (three processes, times summed, peak RSS the largest); every room listed with its name and last message\n")

	var jsRuns, ourRuns []sample
	for i := range cfg.runs {
		first, second := measureJS, measureOurs
		if i%2 == 1 {
			first, second = measureOurs, measureJS // alternate who goes first: load drifts hit both
		}
		for _, which := range []int{first, second} {
			var s sample
			var err error
			name := "matrix-js-sdk"
			if which == measureJS {
				s, err = js.measure(ctx, cfg.rooms)
				jsRuns = append(jsRuns, s)
			} else {
				name = "bosctl"
				s, err = ours.measure(ctx, cfg.rooms)
				ourRuns = append(ourRuns, s)
			}
			if err != nil {
				return fmt.Errorf("failed in run %d (%s): %w", i+1, name, err)
			}
			fmt.Fprintf(out, "run %d %-13s %6d ms (login %4d ms) peak RSS %6.1f MB  %s\n", i+1, name,
				s.total.Milliseconds(), s.login.Milliseconds(), s.rssMB, s.detail)
		}
	}
	jt, jl, jr := medians(jsRuns)
	ot, ol, or := medians(ourRuns)
	fmt.Fprintf(out, "median matrix-js-sdk: %d ms (login %d ms), peak RSS %.1f MB\n", jt.Milliseconds(), jl.Milliseconds(), jr)
	fmt.Fprintf(out, "median bosctl:        %d ms (login %d ms), peak RSS %.1f MB\n", ot.Milliseconds(), ol.Milliseconds(), or)
	fmt.Fprintf(out, "ratio time (bosctl / matrix-js-sdk): %.2f (goal at most 0.5)\n", float64(ot)/float64(jt))
	fmt.Fprintf(out, "ratio peak RSS (bosctl / matrix-js-sdk): %.2f (goal at most 0.7)\n", or/jr)
	return nil
}

const (
	measureJS = iota
	measureOurs
)

// medians of the total time, the login and the peak RSS.
func medians(runs []sample) (total, login time.Duration, rss float64) {
	var ts, ls []time.Duration
	var rs []float64
	for _, s := range runs {
		ts, ls, rs = append(ts, s.total), append(ls, s.login), append(rs, s.rssMB)
	}
	return median(ts), median(ls), median(rs)
}

func median[T int64 | time.Duration | float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
