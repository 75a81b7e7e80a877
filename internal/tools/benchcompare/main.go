// Command benchcompare is `make bench-compare`: it seeds (or reuses) a Dendrite with an account of
// many rooms, then measures login to a complete room list for matrix-js-sdk (the npm peer of
// internal/jspeer) and for bosctl, interleaved, and prints the medians and the ratios.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"bosmessenger/internal/benchseed"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.rooms, "rooms", 200, "rooms of the seeded account")
	flag.IntVar(&cfg.messages, "messages", 50, "messages per room")
	flag.IntVar(&cfg.runs, "runs", 5, "runs of each client")
	flag.IntVar(&cfg.limit, "limit", 50, "timeline limit of matrix-js-sdk's initial sync (initialSyncLimit)")
	flag.StringVar(&cfg.cacheDir, "cache", "", "seeded server's data dir (default: the test cache, keyed by the data set)")
	flag.StringVar(&cfg.bosctl, "bosctl", "", "bosctl binary (default: built from this module)")
	flag.StringVar(&cfg.base, "base", "", "a second bosctl binary (e.g. of the main branch) measured in the same rounds, for before/after")
	seedOnly := flag.Bool("seed-only", false, "only seed (or check) the cached server, then exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *seedOnly {
		srv, err := benchseed.Start(ctx, benchseed.Spec{Rooms: cfg.rooms, Messages: cfg.messages}, cfg.cacheDir, logf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-compare:", err)
			os.Exit(1)
		}
		srv.Close()
		return
	}
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench-compare:", err)
		os.Exit(1)
	}
}

// logf writes progress to stderr.
func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench-compare: "+format+"\n", args...) }
