package testserver

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestSharedIsStartedOnceAndCannotBeStopped(t *testing.T) {
	t.Parallel()
	s := Shared(t)
	if again := Shared(t); again != s {
		t.Fatalf("second Shared returned another server: %s and %s", s, again)
	}
	if !s.Running() {
		t.Fatal("the shared server is not running")
	}
	// Fresh users keep tests on one server independent (also under -count=N).
	local := "shared-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	s.Register(t, local, "shared-password")
	login(t, s, local, "shared-password")
	for what, f := range map[string]func(){"kill": s.Kill, "stop": s.Stop, "restart": func() { s.Restart(t) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of a shared server did not panic", what)
				}
			}()
			f()
		}()
	}
	if !s.Running() {
		t.Fatal("the shared server stopped")
	}
}
