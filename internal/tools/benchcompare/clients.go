package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"bosmessenger/internal/benchseed"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

// runTimeout bounds one client process.
const runTimeout = 5 * time.Minute

// jsClient runs js/benchsync.mjs once per measurement.
type jsClient struct {
	script string
	srv    *benchseed.Server
	limit  int
}

func (c *jsClient) measure(ctx context.Context, rooms int) (sample, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return sample{}, fmt.Errorf("failed to find node: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, c.script, c.srv.URL, c.srv.User, c.srv.Password,
		fmt.Sprint(c.limit), fmt.Sprint(rooms))
	cmd.Dir = filepath.Dir(c.script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return sample{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, fmt.Errorf("failed to start node: %w", err)
	}
	line, readErr := bufio.NewReader(stdout).ReadBytes('\n')
	total := time.Since(start)
	_, _ = bufio.NewReader(stdout).WriteTo(discard{})
	waitErr := cmd.Wait()
	if readErr != nil || waitErr != nil {
		return sample{}, fmt.Errorf("node %s: %v %v: %s", filepath.Base(c.script), readErr, waitErr, tailOf(stderr.String()))
	}
	var res struct {
		LoginMS float64 `json:"login_ms"`
		ListMS  float64 `json:"list_ms"`
		Rooms   int     `json:"rooms"`
		Events  int     `json:"events"`
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return sample{}, fmt.Errorf("unexpected output %q: %w", line, err)
	}
	if res.Rooms != rooms {
		return sample{}, fmt.Errorf("matrix-js-sdk knows %d rooms, want %d", res.Rooms, rooms)
	}
	startup := total - time.Duration(res.ListMS*float64(time.Millisecond))
	return sample{total: total, login: startup + time.Duration(res.LoginMS*float64(time.Millisecond)),
		rssMB:  maxRSS(cmd.ProcessState),
		detail: fmt.Sprintf("(node start and SDK import %d ms, %d timeline events)", startup.Milliseconds(), res.Events)}, nil
}

// discard drains the rest of node's stdout.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// bosctlClient runs bosctl login, sync --once and rooms --json in a fresh data dir.
type bosctlClient struct {
	bin string
	srv *benchseed.Server
	tmp string
}

// benchPassphrase protects the throwaway stores (default Argon2id parameters, as a real login).
const benchPassphrase = "bench-compare store passphrase"

func (c *bosctlClient) measure(ctx context.Context, rooms int) (sample, error) {
	dir, err := os.MkdirTemp(c.tmp, "acct-")
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(dir)
	login, err := c.run(ctx, "login", "--data", dir, "--homeserver", c.srv.URL, "--user", c.srv.User)
	if err != nil {
		return sample{}, err
	}
	defer func() { _, _ = c.run(context.WithoutCancel(ctx), "logout", "--data", dir) }() // keeps the device list short
	// --quick: the room list is complete after phase 1; builds before it knew no such flag (-base).
	sync, err := c.run(ctx, "sync", "--once", "--quick", "--data", dir)
	if exitErr := (*exec.ExitError)(nil); errors.As(err, &exitErr) && exitErr.ExitCode() == 2 {
		sync, err = c.run(ctx, "sync", "--once", "--data", dir)
	}
	if err != nil {
		return sample{}, err
	}
	list, err := c.run(ctx, "rooms", "--json", "--data", dir)
	if err != nil {
		return sample{}, err
	}
	if err := checkRooms(list.stdout, rooms); err != nil {
		return sample{}, err
	}
	return sample{total: login.wall + sync.wall + list.wall, login: login.wall,
		rssMB:  max(login.rssMB, sync.rssMB, list.rssMB),
		detail: fmt.Sprintf("(sync --once %d ms %.0f MB, rooms %d ms; %s)", sync.wall.Milliseconds(), sync.rssMB, list.wall.Milliseconds(), strings.TrimSpace(string(sync.stdout)))}, nil
}

// measureOneProcess is the same milestone in one process: `bosctl login --sync` (login, then the
// initial sync as sync --once), the room list then checked with rooms --json outside the timing.
func (c *bosctlClient) measureOneProcess(ctx context.Context, rooms int) (sample, error) {
	dir, err := os.MkdirTemp(c.tmp, "acct-")
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(dir)
	login, err := c.run(ctx, "login", "--sync", "--data", dir, "--homeserver", c.srv.URL, "--user", c.srv.User)
	if err != nil {
		return sample{}, err
	}
	defer func() { _, _ = c.run(context.WithoutCancel(ctx), "logout", "--data", dir) }()
	list, err := c.run(ctx, "rooms", "--json", "--data", dir)
	if err != nil {
		return sample{}, err
	}
	if err := checkRooms(list.stdout, rooms); err != nil {
		return sample{}, err
	}
	lines := strings.Split(strings.TrimSpace(string(login.stdout)), "\n")
	return sample{total: login.wall, rssMB: login.rssMB, detail: "(" + lines[len(lines)-1] + ")"}, nil
}

// checkRooms fails unless the list holds exactly the seeded rooms, each joined, named and with a
// last message.
func checkRooms(out []byte, want int) error {
	var list []session.RoomSummary
	if err := json.Unmarshal(out, &list); err != nil {
		return fmt.Errorf("bosctl rooms --json: %w", err)
	}
	if len(list) != want {
		return fmt.Errorf("the room list is incomplete: %d rooms, want %d", len(list), want)
	}
	for _, r := range list {
		if r.Membership != "join" || !strings.HasPrefix(r.Name, "Raum ") || r.LastMessage == nil {
			return fmt.Errorf("room %s is not complete in the list: membership %q, name %q, last message %v",
				r.ID, r.Membership, r.Name, r.LastMessage != nil)
		}
	}
	return nil
}

type procResult struct {
	stdout []byte
	wall   time.Duration
	rssMB  float64
}

func (c *bosctlClient) run(ctx context.Context, args ...string) (procResult, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(os.Environ(), "BOSCTL_PASSWORD="+c.srv.Password, storekey.EnvPassphrase+"="+benchPassphrase)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return procResult{}, fmt.Errorf("bosctl %s: %w: %s", args[0], err, tailOf(stderr.String()))
	}
	return procResult{stdout: stdout.Bytes(), wall: wall, rssMB: maxRSS(cmd.ProcessState)}, nil
}

// maxRSS is the process's peak resident set in MB (Linux reports ru_maxrss in KiB).
func maxRSS(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}

func tailOf(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}

// buildBosctl builds cmd/bosctl of this module (-tags goolm) into dir.
func buildBosctl(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bosctl")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "goolm", "-o", bin, "./cmd/bosctl")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("failed to build bosctl: %w\n%s", err, out)
	}
	return bin, nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("failed to find the module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("failed to find the module: run from inside the repository")
	}
	return filepath.Dir(gomod), nil
}
