package netns_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"bosmessenger/internal/netns"
)

// The test runs inside a namespace that has only lo: a listener on 127.0.0.2 works there and
// no other interface exists.
func TestEnter(t *testing.T) {
	if !netns.Enter(t) {
		return
	}
	if !netns.Inside() {
		t.Fatal("Enter returned true outside a namespace")
	}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// Outside a namespace this machine has more than lo, so the check must be able to fail.
func TestOnlyLoopbackOutside(t *testing.T) {
	if netns.Inside() {
		return
	}
	if err := netns.OnlyLoopback(); err == nil {
		t.Fatal("OnlyLoopback accepted the host's interfaces")
	}
}

// A process that the test leaves behind inside the namespace dies with it: the test binary is
// the first process of its own PID namespace.
func TestEnterLeavesNoProcess(t *testing.T) {
	if !netns.Inside() {
		t.Setenv("NETNS_LEAK_MARK", strconv.Itoa(100000+os.Getpid()))
	}
	mark := os.Getenv("NETNS_LEAK_MARK")
	if !netns.Enter(t) {
		deadline := time.Now().Add(10 * time.Second)
		for sleeperAlive(mark) {
			if time.Now().After(deadline) {
				t.Fatalf("the process left behind in the namespace (sleep %s) still runs", mark)
			}
			time.Sleep(100 * time.Millisecond)
		}
		return
	}
	cmd := exec.Command("sleep", mark)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Release(); err != nil {
		t.Fatal(err)
	}
}

// sleeperAlive reports whether a process runs `sleep mark`.
func sleeperAlive(mark string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if data, err := os.ReadFile(p); err == nil && string(data) == "sleep\x00"+mark+"\x00" {
			return true
		}
	}
	return false
}
