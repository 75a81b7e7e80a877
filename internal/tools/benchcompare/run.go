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
	cacheDir, bosctl, base       string
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
	fmt.Fprintf(out, "bosctl-1proc: login --sync (one process: login, then the initial sync as sync --once); the room list checked afterwards with rooms --json, not timed\n")

	type client struct {
		name    string
		measure func(context.Context, int) (sample, error)
		runs    []sample
	}
	clients := []*client{{name: "matrix-js-sdk", measure: js.measure}, {name: "bosctl", measure: ours.measure},
		{name: "bosctl-1proc", measure: ours.measureOneProcess}}
	if cfg.base != "" {
		base := &bosctlClient{bin: cfg.base, srv: srv, tmp: tmp}
		clients = append(clients, &client{name: "bosctl-base", measure: base.measure})
		fmt.Fprintf(out, "bosctl-base: %s, measured the same way in the same rounds\n", cfg.base)
	}
	for i := range cfg.runs {
		for k := range clients {
			c := clients[(i+k)%len(clients)] // rotate who goes first: load drifts hit all alike
			s, err := c.measure(ctx, cfg.rooms)
			if err != nil {
				return fmt.Errorf("failed in run %d (%s): %w", i+1, c.name, err)
			}
			c.runs = append(c.runs, s)
			fmt.Fprintf(out, "run %d %-13s %6d ms (login %s) peak RSS %6.1f MB  %s\n", i+1, c.name,
				s.total.Milliseconds(), loginMS(s.login), s.rssMB, s.detail)
		}
	}
	jt, _, jr := medians(clients[0].runs)
	for _, c := range clients {
		t, l, r := medians(c.runs)
		fmt.Fprintf(out, "median %-14s %d ms (login %s), peak RSS %.1f MB\n", c.name+":", t.Milliseconds(), loginMS(l), r)
	}
	for _, c := range clients[1:] {
		t, _, r := medians(c.runs)
		fmt.Fprintf(out, "ratio time (%s / matrix-js-sdk): %.2f (goal at most 0.5)\n", c.name, float64(t)/float64(jt))
		fmt.Fprintf(out, "ratio peak RSS (%s / matrix-js-sdk): %.2f (goal at most 0.7)\n", c.name, r/jr)
	}
	return nil
}

// loginMS formats the login part ("-" when the client does not measure it apart).
func loginMS(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

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
