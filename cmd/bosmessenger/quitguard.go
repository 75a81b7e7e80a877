package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// quitGuard makes SIGINT and SIGTERM end the process even when Fyne's own quit hangs. Fyne 2.7.1
// quits on these signals, but an input event queued while its main loop ends (a resize, a click)
// can leave the lifecycle event queue waiting on the closed function queue, and ShowAndRun never
// returns. If the process is still running after grace, it exits: the store commits each sync in
// one transaction and the send queue is persistent (the SIGKILL tests), so nothing is lost.
func quitGuard(grace time.Duration) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		time.Sleep(grace)
		os.Exit(0)
	}()
}
