package ui

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// TraceEnv names a file the app appends UI milestones to, one line each, for the Xvfb smoke test and
// the start-up benchmark: "<unix-ms> ready rooms=N", "<unix-ms> room_shown room=!id messages=N",
// "<unix-ms> event_shown event=$id", "<unix-ms> bos_blocked cause=C", "<unix-ms> applock_shown
// view=setup|lock", "<unix-ms> applock_unlocked", "<unix-ms> settings_shown x=X y=Y w=W scale=S" (where
// the tabs are), "<unix-ms> settings_tab managed=true|false". Lines carry IDs and counts only, never message content.
const TraceEnv = "BOSMESSENGER_UI_TRACE"

var tracer struct {
	once sync.Once
	mu   sync.Mutex
	f    *os.File
}

// Trace appends one milestone line when TraceEnv is set; it is safe from any goroutine.
func Trace(format string, args ...any) {
	tracer.once.Do(func() {
		if p := os.Getenv(TraceEnv); p != "" {
			tracer.f, _ = os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		}
	})
	if tracer.f == nil {
		return
	}
	tracer.mu.Lock()
	defer tracer.mu.Unlock()
	fmt.Fprintf(tracer.f, "%d %s\n", time.Now().UnixMilli(), fmt.Sprintf(format, args...))
}

// tracing reports whether TraceEnv is set (for traces that cost something to compute).
func tracing() bool { return os.Getenv(TraceEnv) != "" }
