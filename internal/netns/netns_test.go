package netns_test

import (
	"net"
	"testing"

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
