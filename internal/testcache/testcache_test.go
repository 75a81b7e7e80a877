package testcache

import (
	"path/filepath"
	"testing"
	"time"
)

func TestRoot(t *testing.T) {
	t.Setenv("BOS_TEST_CACHE", "/x/cache")
	if r, err := Root(); err != nil || r != "/x/cache" {
		t.Fatalf("BOS_TEST_CACHE: %q %v", r, err)
	}
	t.Setenv("BOS_TEST_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", "/x/xdg")
	if r, err := Root(); err != nil || r != "/x/xdg/bosmessenger-test" {
		t.Fatalf("XDG_CACHE_HOME: %q %v", r, err)
	}
}

func TestLockExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.lock")
	unlock, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		u, err := Lock(path)
		if err == nil {
			u()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("second lock taken while the first was held")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	<-got
}
