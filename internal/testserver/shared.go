package testserver

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
)

// The servers one test binary shares between its tests: started on first use, stopped by Main
// (or StopShared). Tests on a shared server stay independent by using fresh users (unique
// localparts); a test that stops, kills or restarts its server, changes its config or needs a
// clean server starts its own with Start.
var shared struct {
	mu     sync.Mutex
	single *sharedSlot
	fed    *sharedSlot
}

// sharedSlot is one lazily started server (or federated pair) and its first start error.
type sharedSlot struct {
	once    sync.Once
	dirs    []string
	servers []*Server
	err     error
}

// Shared returns the server this test binary shares between its tests, starting it on first
// use (Options{}: 127.0.0.1, no federation). The test must not stop, kill or restart it (that
// panics); it is stopped by Main. The server log tail is printed when the test fails.
func Shared(t testing.TB) *Server {
	t.Helper()
	BinDir(t)
	slot := sharedSlotFor(&shared.single)
	slot.once.Do(func() {
		slot.start([]Options{{}})
	})
	if slot.err != nil {
		t.Fatalf("testserver: shared server: %v", slot.err)
	}
	slot.logOnFailure(t)
	return slot.servers[0]
}

// SharedFederated is the shared counterpart of StartFederated: two servers, a on 127.0.0.1 and b
// on 127.0.0.2, that federate with each other, started on first use and stopped by Main.
func SharedFederated(t testing.TB) (a, b *Server) {
	t.Helper()
	BinDir(t)
	slot := sharedSlotFor(&shared.fed)
	slot.once.Do(func() {
		slot.start([]Options{{IP: "127.0.0.1", Federation: true}, {IP: "127.0.0.2", Federation: true}})
	})
	if slot.err != nil {
		t.Fatalf("testserver: shared federated servers: %v", slot.err)
	}
	slot.logOnFailure(t)
	return slot.servers[0], slot.servers[1]
}

func sharedSlotFor(p **sharedSlot) *sharedSlot {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if *p == nil {
		*p = &sharedSlot{}
	}
	return *p
}

// start starts one server per options in parallel, each in a fresh temporary data dir.
func (slot *sharedSlot) start(opts []Options) {
	errs := make([]error, len(opts))
	slot.servers = make([]*Server, len(opts))
	var wg sync.WaitGroup
	for i := range opts {
		dir, err := os.MkdirTemp("", "testserver-shared-")
		if err != nil {
			slot.err = fmt.Errorf("failed to create a data dir: %w", err)
			return
		}
		slot.dirs = append(slot.dirs, dir)
		opts[i].Dir = dir
		wg.Add(1)
		go func() {
			defer wg.Done()
			slot.servers[i], errs[i] = StartE(context.Background(), opts[i])
		}()
	}
	wg.Wait()
	for i, s := range slot.servers {
		if s != nil {
			s.shared = true
		}
		if errs[i] != nil && slot.err == nil {
			slot.err = errs[i]
		}
	}
}

// logOnFailure prints the log tails of the slot's servers when t fails.
func (slot *sharedSlot) logOnFailure(t testing.TB) {
	t.Cleanup(func() {
		if t.Failed() {
			for _, s := range slot.servers {
				t.Logf("testserver %s (shared) log tail:\n%s", s.ServerName, s.Logs())
			}
		}
	})
}

// stop stops the slot's servers and removes their data dirs.
func (slot *sharedSlot) stop() {
	var wg sync.WaitGroup
	for _, s := range slot.servers {
		if s != nil {
			wg.Add(1)
			go func() { defer wg.Done(); s.stopProcess() }()
		}
	}
	wg.Wait()
	for _, dir := range slot.dirs {
		os.RemoveAll(dir)
	}
}

// StopShared stops the shared servers started so far and removes their data dirs. A later
// Shared or SharedFederated starts new ones.
func StopShared() {
	shared.mu.Lock()
	slots := []*sharedSlot{shared.single, shared.fed}
	shared.single, shared.fed = nil, nil
	shared.mu.Unlock()
	for _, slot := range slots {
		if slot != nil {
			slot.stop()
		}
	}
}

// Main runs the tests of m and then stops the shared servers; a package whose tests use Shared
// calls it from TestMain: func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }.
// Without it the shared servers die with the test binary (Pdeathsig on Linux) but leave their
// data dirs behind.
func Main(m *testing.M) int {
	code := m.Run()
	StopShared()
	return code
}
