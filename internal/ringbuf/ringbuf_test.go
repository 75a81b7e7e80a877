package ringbuf

import "testing"

func TestKeepsTail(t *testing.T) {
	r := New(8)
	r.Write([]byte("hello "))
	if got := r.String(); got != "hello " {
		t.Fatalf("got %q", got)
	}
	r.Write([]byte("world"))
	if got := r.String(); got != "[...]\nlo world" {
		t.Fatalf("got %q", got)
	}
}
