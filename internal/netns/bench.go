package netns

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// benchRan remembers the benchmarks whose child already ran: testing calls a benchmark function
// several times (b.N = 1, then more), the namespace runs it once with the full -benchtime.
var benchRan sync.Map

// EnterBench is Enter for a benchmark: outside, it re-executes the test binary for b alone
// (-test.run '^$', the same -test.bench level and -test.benchtime) inside a new network namespace
// with only lo, prints the child's output (its benchmark lines are the figures) to stdout, fails
// b if the child failed and returns false; the caller returns at once. The parent's own result
// line for b measures nothing. Inside, it checks that lo is the only interface and returns true.
func EnterBench(b *testing.B) bool {
	b.Helper()
	if name := os.Getenv(envInside); name != "" {
		if name != b.Name() {
			b.Fatalf("netns: this process runs %s inside its namespace, not %s", name, b.Name())
		}
		if err := OnlyLoopback(); err != nil {
			b.Fatalf("netns: %v", err)
		}
		return true
	}
	if _, done := benchRan.LoadOrStore(b.Name(), true); done {
		return false
	}
	cmd, err := benchCommand(b.Name())
	if err != nil {
		b.Fatalf("netns: %v", err)
	}
	out, err := cmd.CombinedOutput()
	fmt.Printf("netns: %s ran inside its own network namespace:\n%s", b.Name(), out)
	if err != nil {
		b.Fatalf("netns: the benchmark failed inside the namespace: %v", err)
	}
	if strings.Contains(string(out), "--- FAIL") || !strings.Contains(string(out), "\nPASS") {
		b.Fatalf("netns: the child process did not pass %s", b.Name())
	}
	return false
}

// benchCommand re-runs the benchmark name inside a new network namespace with lo up.
func benchCommand(name string) (*exec.Cmd, error) {
	unshare, args, err := unshareArgs("-test.run", "^$", "-test.bench", runPattern(name, flagValue("test.bench")))
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"test.benchtime", "test.benchmem", "test.timeout"} {
		if v := flagValue(f); v != "" {
			args = append(args, "-"+f+"="+v)
		}
	}
	cmd := exec.CommandContext(context.Background(), unshare, args...)
	cmd.Env = append(os.Environ(), envInside+"="+name)
	return cmd, nil
}

// flagValue is the value of one of this binary's flags ("" when unknown).
func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}
