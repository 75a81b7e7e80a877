package storekey

import (
	"runtime"
	"testing"
)

// TestDeriveKEKReturnsWorkMemory: the 64 MiB Argon2id work memory goes back to the OS when the
// key is derived, instead of staying in the process as idle heap (it made up half of the GUI's
// memory above an empty window).
func TestDeriveKEKReturnsWorkMemory(t *testing.T) {
	p := DefaultParams()
	if p.MemoryKiB < 32<<10 {
		t.Fatalf("default memory %d KiB: too small for this check", p.MemoryKiB)
	}
	held := func() int64 { // heap memory the process holds from the OS
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapSys - m.HeapReleased)
	}
	before := held()
	deriveKEK("korrekt pferd batterie", make([]byte, 16), p)
	if grew, limit := held()-before, int64(p.MemoryKiB)<<10/2; grew > limit {
		t.Errorf("after deriving, the heap holds %d MiB more (work memory %d MiB)", grew>>20, p.MemoryKiB>>10)
	}
}
