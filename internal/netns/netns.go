// Package netns runs a test inside a fresh network namespace that has only a loopback
// interface, so that everything the test starts (homeservers, browsers, WebRTC with its ICE
// candidates on every interface) can reach nothing but 127.0.0.0/8 of that namespace.
//
// Enter re-executes the test binary for the one calling test under
// `unshare --net --pid --fork --kill-child sh -c 'ip link set lo up && exec ...'` (adding
// --map-root-user when not root) and reports the child's result as the test's own; inside the
// namespace it returns true and the test runs. The test binary is the first process of a PID
// namespace too: when it ends, however it ends (a timeout panic, a kill), the kernel kills
// everything it started, so no homeserver or browser outlives the test. It needs unshare (util-linux) and ip (iproute2); without them, or when the
// kernel refuses the namespace, the test fails: it never skips.
package netns

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// envInside names the test that a child process runs inside its namespace.
const envInside = "BOS_NETNS_TEST"

// Inside reports whether this process was started by Enter inside a namespace.
func Inside() bool { return os.Getenv(envInside) != "" }

// Enter runs the calling test inside a new network namespace with only lo (up). Outside, it
// re-executes the test binary for t alone inside the namespace, copies its output into the
// test log, fails t if the child failed and returns false: the caller then returns at once.
// Inside, it checks that lo is the only interface and returns true.
//
//	func TestCall(t *testing.T) {
//		if !netns.Enter(t) {
//			return
//		}
//		...
func Enter(t *testing.T) bool {
	t.Helper()
	if name := os.Getenv(envInside); name != "" {
		if name != t.Name() {
			t.Fatalf("netns: this process runs %s inside its namespace, not %s", name, t.Name())
		}
		if err := OnlyLoopback(); err != nil {
			t.Fatalf("netns: %v", err)
		}
		return true
	}
	cmd, err := Command(t)
	if err != nil {
		t.Fatalf("netns: %v", err)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("netns: %s ran inside its own network namespace (%s):\n%s", t.Name(), time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("netns: the test failed inside the namespace: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("netns: the child process did not report %s as passed", t.Name())
	}
	return false
}

// Command returns the command that re-runs t's test binary for t alone inside a new network
// namespace with lo up. It is bounded by t's deadline.
func Command(t *testing.T) (*exec.Cmd, error) {
	unshare, args, err := unshareArgs("-test.run", runPattern(t.Name(), runFlag()))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout", time.Until(d).Round(time.Second).String())
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-5*time.Second))
		t.Cleanup(cancel)
	}
	cmd := exec.CommandContext(ctx, unshare, args...)
	cmd.Env = append(os.Environ(), envInside+"="+t.Name())
	cmd.WaitDelay = 10 * time.Second
	return cmd, nil
}

// unshareArgs finds unshare and returns its arguments that re-run this test binary with
// testArgs (plus -test.count=1 -test.v=true) inside a new network and PID namespace with lo up.
func unshareArgs(testArgs ...string) (unshare string, args []string, err error) {
	if unshare, err = exec.LookPath("unshare"); err != nil {
		return "", nil, fmt.Errorf("failed to find unshare (util-linux): %w", err)
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		return "", nil, fmt.Errorf("failed to find ip (iproute2): %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("failed to find the test binary: %w", err)
	}
	args = []string{"--net", "--pid", "--fork", "--kill-child"}
	if os.Geteuid() != 0 {
		args = append(args, "--map-root-user")
	}
	args = append(args, "--", "sh", "-c", `"$0" link set lo up && exec "$@"`, ip, self)
	args = append(args, testArgs...)
	return unshare, append(args, "-test.count=1", "-test.v=true"), nil
}

// runPattern matches exactly the test (or subtest) name, followed by the subtest levels below
// it of the parent's -test.run pattern (so that -run 'TestX/plain' still selects only plain).
func runPattern(name, parent string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	if levels := strings.Split(parent, "/"); len(levels) > len(parts) {
		parts = append(parts, levels[len(parts):]...)
	}
	return strings.Join(parts, "/")
}

// runFlag is this binary's -test.run pattern.
func runFlag() string {
	if f := flag.Lookup("test.run"); f != nil {
		return f.Value.String()
	}
	return ""
}

// OnlyLoopback returns an error unless lo is the only network interface and it is up.
func OnlyLoopback() error {
	ifs, err := net.Interfaces()
	if err != nil {
		return fmt.Errorf("failed to list the interfaces: %w", err)
	}
	var names []string
	loUp := false
	for _, i := range ifs {
		names = append(names, i.Name)
		if i.Flags&net.FlagLoopback != 0 && i.Flags&net.FlagUp != 0 {
			loUp = true
		}
	}
	if len(ifs) != 1 || !loUp {
		return fmt.Errorf("want only lo (up) in the namespace, have %v", names)
	}
	return nil
}
