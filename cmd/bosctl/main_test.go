package main

// Integration tests of bosctl: TestMain builds the real binary once, and the tests run it as a
// separate process against a real Dendrite (internal/testserver) on loopback. Nothing is mocked.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
)

const (
	testPassword   = "correct-horse-battery"
	testPassphrase = "bosctl test store passphrase"
	cmdTimeout     = 2 * time.Minute
)

var (
	bosctlBin  string        // the bosctl binary under test
	buildTime  time.Duration // how long building it took
	xdgDataDir string        // XDG_DATA_HOME of the started processes (the default data dir must never be used)
	userSeq    atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "bosctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bosctl test:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	xdgDataDir = filepath.Join(tmp, "xdg-data")
	raiseParallel()
	if bin := os.Getenv(envTestBinary); bin != "" && netns.Inside() {
		// The child of a test inside its network namespace (netns.Enter): the parent, which waits
		// for it, built the binary already.
		bosctlBin = bin
		return testserver.Main(m)
	}
	bosctlBin = filepath.Join(tmp, "bosctl")
	args := []string{"build", "-tags", "goolm"}
	if raceEnabled {
		// Argon2id (unlocking the store, in every command) is not instrumented: the race detector
		// makes it several times slower, and its internal goroutines are no concern of ours.
		args = append(args, "-race", "-gcflags=golang.org/x/crypto/argon2=-race=false")
	}
	args = append(args, "-o", bosctlBin, "bosmessenger/cmd/bosctl")
	build := exec.Command(goTool(), args...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "bosctl test: go %s: %v\n", strings.Join(args, " "), err)
		return 1
	}
	buildTime = time.Since(start)
	os.Setenv(envTestBinary, bosctlBin) // for netns children; environ() keeps it from bosctl
	return testserver.Main(m)
}

// envTestBinary passes the built bosctl to this binary's children in a network namespace.
const envTestBinary = "BOSCTL_TEST_BINARY"

// raiseParallel lets up to 4 tests run at once unless -test.parallel was given: the tests
// spend their time waiting for bosctl processes and Dendrite, so the default of GOMAXPROCS (2 on
// the CI machine) leaves the cores idle for most of the run.
func raiseParallel() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && runtime.GOMAXPROCS(0) < 4 {
		_ = flag.Set("test.parallel", "4")
	}
}

// goTool finds the go command: the one on PATH, else the standard install location.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if p := "/usr/local/go/bin/go"; fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sharedServer is the Dendrite most tests share (each with its own users): testserver.Shared,
// started on first use and stopped by TestMain.
func sharedServer(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.Shared(t)
}

// result is what one bosctl process did.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
	dur    time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("bosctl %s: exit %d after %v\nstdout: %q\nstderr: %q", strings.Join(r.args, " "), r.code,
		r.dur.Round(time.Millisecond), r.stdout, r.stderr)
}

// lines returns the non-empty stdout lines.
func (r result) lines() []string {
	var out []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// runOpts are the extras of one bosctl run.
type runOpts struct {
	password *string  // BOSCTL_PASSWORD (nil: unset)
	stdin    string   // stdin content ("" is an empty stdin)
	env      []string // more KEY=VALUE
}

// environ is the environment of the started processes: ours without bosctl's variables, plus the
// store passphrase.
func environ(o runOpts) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "BOSCTL_PASSWORD" || k == "BOSMESSENGER_PASSPHRASE" || k == "XDG_DATA_HOME" || k == envTestBinary {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "BOSMESSENGER_PASSPHRASE="+testPassphrase, "XDG_DATA_HOME="+xdgDataDir)
	if o.password != nil {
		env = append(env, "BOSCTL_PASSWORD="+*o.password)
	}
	return append(env, o.env...)
}

// bosctlCmd prepares a bosctl process.
func bosctlCmd(ctx context.Context, o runOpts, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bosctlBin, args...)
	cmd.Env = environ(o)
	cmd.Stdin = strings.NewReader(o.stdin)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// bosctl runs bosctl to the end.
func bosctl(t *testing.T, o runOpts, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := bosctlCmd(ctx, o, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), dur: time.Since(start)}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || !ee.Exited() {
			t.Fatalf("bosctl %s: %v (stderr %q)", strings.Join(args, " "), err, r.stderr)
		}
		r.code = ee.ExitCode()
	}
	return r
}

// mustOK checks that the run succeeded: exit 0 and nothing on stderr.
func mustOK(t *testing.T, r result) result {
	t.Helper()
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("want success, got %v", r)
	}
	return r
}

// mustFail checks the error contract: exit status code (any non-zero when code < 0), nothing on
// stdout, and exactly one line on stderr that starts with "bosctl: " and contains want
// (case-insensitive).
func mustFail(t *testing.T, r result, code int, want string) result {
	t.Helper()
	switch {
	case r.code == 0:
		t.Fatalf("want failure, got %v", r)
	case code >= 0 && r.code != code:
		t.Fatalf("want exit %d, got %v", code, r)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") || !strings.HasPrefix(r.stderr, "bosctl: ") {
		t.Fatalf("want exactly one line \"bosctl: ...\" on stderr, got %v", r)
	}
	if !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(want)) {
		t.Fatalf("want stderr mentioning %q, got %v", want, r)
	}
	if r.stdout != "" {
		t.Fatalf("want nothing on stdout of a failed command, got %v", r)
	}
	return r
}

// user is a registered account with its own data dir for bosctl.
type user struct {
	t      *testing.T
	srv    *testserver.Server
	local  string
	id     string
	dir    string
	device string
}

// newUser registers a fresh user on srv (not yet logged in).
func newUser(t *testing.T, srv *testserver.Server, prefix string) *user {
	t.Helper()
	local := fmt.Sprintf("%s%d", prefix, userSeq.Add(1))
	u := &user{t: t, srv: srv, local: local, id: srv.Register(t, local, testPassword), dir: t.TempDir()}
	t.Cleanup(func() {
		if t.Failed() {
			if data, err := os.ReadFile(filepath.Join(u.dir, "log", "bosctl.log")); err == nil {
				t.Logf("bosctl.log of %s:\n%s", u.local, tailString(string(data), 4000))
			}
		}
	})
	return u
}

func tailString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// loggedIn registers a user and logs it in with bosctl.
func loggedIn(t *testing.T, srv *testserver.Server, prefix string) *user {
	t.Helper()
	u := newUser(t, srv, prefix)
	u.login(t)
	return u
}

func (u *user) login(t *testing.T) { t.Helper(); u.loginTo(t, u.srv.URL) }

// loginTo logs u in with bosctl through the homeserver URL hs (the server's, or a proxy's).
func (u *user) loginTo(t *testing.T, hs string) {
	t.Helper()
	pw := testPassword
	r := mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", u.dir, "login", "--homeserver", hs, "--user", u.local))
	m := regexp.MustCompile(`^Logged in as (\S+) \(device (\S+)\) on (\S+)\n$`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] != u.id || m[3] != hs {
		t.Fatalf("unexpected login output: %v", r)
	}
	u.device = m[2]
}

// run runs bosctl on the user's data dir (no password in the environment).
func (u *user) run(args ...string) result {
	u.t.Helper()
	return bosctl(u.t, runOpts{}, append([]string{"--data", u.dir}, args...)...)
}

// ok runs bosctl on the user's data dir and requires success.
func (u *user) ok(args ...string) result {
	u.t.Helper()
	return mustOK(u.t, u.run(args...))
}

// start starts a long-running bosctl on the user's data dir with its stdout as a pipe.
func (u *user) start(args ...string) *bg {
	u.t.Helper()
	return startBG(u.t, runOpts{}, append([]string{"--data", u.dir}, args...)...)
}

var roomIDRe = regexp.MustCompile(`^![^\s:]+:\S+$`)
var eventIDRe = regexp.MustCompile(`^\$\S+$`)

// oneID checks that stdout is exactly one line matching re and returns it.
func oneID(t *testing.T, r result, re *regexp.Regexp) string {
	t.Helper()
	lines := r.lines()
	if len(lines) != 1 || !re.MatchString(lines[0]) {
		t.Fatalf("want one ID line matching %s, got %v", re, r)
	}
	return lines[0]
}

// createRoom creates a room as u and returns its ID.
func (u *user) createRoom(args ...string) string {
	u.t.Helper()
	return oneID(u.t, u.ok(append([]string{"create-room"}, args...)...), roomIDRe)
}

// send sends a message as u and returns the printed event ID.
func (u *user) send(roomID, text string) string {
	u.t.Helper()
	return oneID(u.t, u.ok("send", roomID, text), eventIDRe)
}

// sharedRoom creates an unencrypted room of a (name given), invites b, and lets b join.
func sharedRoom(t *testing.T, a, b *user, name string) string {
	t.Helper()
	roomID := a.createRoom("--name", name, "--plain", "--invite", b.id)
	if got := oneID(t, b.ok("join", roomID), roomIDRe); got != roomID {
		t.Fatalf("join printed %s, want %s", got, roomID)
	}
	return roomID
}

// roomJSON is the JSON form of one room of bosctl rooms --json.
type roomJSON struct {
	RoomID     string `json:"room_id"`
	Name       string `json:"name"`
	Topic      string `json:"topic"`
	Membership string `json:"membership"`
	Encrypted  bool   `json:"encrypted"`
	IsDirect   bool   `json:"is_direct"`
	Joined     int    `json:"joined_members"`
	Invited    int    `json:"invited_members"`
	// LastMessage previews the newest message (one cleaned line).
	LastMessage *struct {
		Sender string `json:"sender"`
		Body   string `json:"body"`
		TS     int64  `json:"ts"`
	} `json:"last_message"`
}

func (u *user) rooms() map[string]roomJSON {
	u.t.Helper()
	r := u.ok("rooms", "--json")
	var list []roomJSON
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		u.t.Fatalf("rooms --json is not one JSON array (%v): %v", err, r)
	}
	out := map[string]roomJSON{}
	for _, room := range list {
		out[room.RoomID] = room
	}
	return out
}

// eventJSON is one line of tail --json or history --json.
type eventJSON struct {
	RoomID    string `json:"room_id"`
	EventID   string `json:"event_id"`
	Sender    string `json:"sender"`
	Type      string `json:"type"`
	MsgType   string `json:"msgtype"`
	Body      string `json:"body"`
	TS        int64  `json:"ts"`
	Encrypted bool   `json:"encrypted"`
	Decrypted bool   `json:"decrypted"`
}

// parseEvents parses JSON lines, each required to hold all the given keys.
func parseEvents(t *testing.T, out string, keys ...string) []eventJSON {
	t.Helper()
	var events []eventJSON
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("not a JSON object line: %q: %v", line, err)
		}
		for _, k := range keys {
			if _, ok := raw[k]; !ok {
				t.Fatalf("event line lacks %q: %s", k, line)
			}
		}
		var ev eventJSON
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("bad event line %q: %v", line, err)
		}
		events = append(events, ev)
	}
	return events
}

var messageKeys = []string{"room_id", "event_id", "sender", "type", "msgtype", "body", "ts", "encrypted", "decrypted"}

// history returns the room's messages as u sees them (history --json), oldest first.
func (u *user) history(roomID string, limit int) []eventJSON {
	u.t.Helper()
	r := u.ok("history", roomID, "--json", "--limit", fmt.Sprint(limit))
	return parseEvents(u.t, r.stdout, "room_id", "event_id", "sender", "type", "ts", "encrypted", "decrypted")
}

// messages keeps the m.room.message events.
func messages(events []eventJSON) []eventJSON {
	var out []eventJSON
	for _, ev := range events {
		if ev.Type == "m.room.message" {
			out = append(out, ev)
		}
	}
	return out
}

func bodies(events []eventJSON) []string {
	var out []string
	for _, ev := range events {
		out = append(out, ev.Body)
	}
	return out
}

// bg is a bosctl process running in the background.
type bg struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string // stdout lines; closed at EOF
	stderr bytes.Buffer
	done   chan struct{}
	res    result
	start  time.Time
	cancel context.CancelFunc
}

func startBG(t *testing.T, o runOpts, args ...string) *bg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	b := &bg{t: t, cmd: bosctlCmd(ctx, o, args...), lines: make(chan string, 1000), done: make(chan struct{}), cancel: cancel}
	b.cmd.Stderr = &b.stderr
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	b.start = time.Now()
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start bosctl: %v", err)
	}
	var out strings.Builder
	go func() {
		defer close(b.done)
		defer cancel()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			b.lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(b.lines)
		err := b.cmd.Wait()
		b.res = result{args: args, stdout: out.String(), stderr: b.stderr.String(), dur: time.Since(b.start)}
		if ee, ok := err.(*exec.ExitError); ok {
			b.res.code = ee.ExitCode() // -1 when killed by a signal
		} else if err != nil {
			b.res.code = -1
			b.res.stderr += err.Error()
		}
	}()
	t.Cleanup(func() {
		_ = b.cmd.Process.Kill()
		<-b.done
	})
	return b
}

// nextLine waits for the next stdout line.
func (b *bg) nextLine(timeout time.Duration) string {
	b.t.Helper()
	select {
	case l, ok := <-b.lines:
		if !ok {
			<-b.done
			b.t.Fatalf("bosctl ended instead of printing a line: %v", b.res)
		}
		return l
	case <-time.After(timeout):
		b.t.Fatalf("no line from bosctl %s within %v", strings.Join(b.cmd.Args[1:], " "), timeout)
	}
	return ""
}

// wait waits for the process to end and returns what it did.
func (b *bg) wait(timeout time.Duration) result {
	b.t.Helper()
	select {
	case <-b.done:
		return b.res
	case <-time.After(timeout):
		b.t.Fatalf("bosctl %s did not end within %v", strings.Join(b.cmd.Args[1:], " "), timeout)
	}
	return result{}
}

// matrixLogin logs in with plain HTTP (a new device) and returns the access token.
func matrixLogin(t *testing.T, srv *testserver.Server, local string) string {
	t.Helper()
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	body := map[string]any{"type": "m.login.password", "identifier": map[string]string{"type": "m.id.user", "user": local},
		"password": testPassword}
	matrixCall(t, http.MethodPost, srv.URL+"/_matrix/client/v3/login", "", body, &resp)
	if resp.AccessToken == "" {
		t.Fatal("plain login: no access token")
	}
	return resp.AccessToken
}

// matrixCall sends a client-server API request that must answer 200 with JSON.
func matrixCall(t *testing.T, method, url, token string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, data)
		}
	}
}

// devices lists the device IDs of the token's user.
func devices(t *testing.T, srv *testserver.Server, token string) []string {
	t.Helper()
	var resp struct {
		Devices []struct {
			DeviceID string `json:"device_id"`
		} `json:"devices"`
	}
	matrixCall(t, http.MethodGet, srv.URL+"/_matrix/client/v3/devices", token, nil, &resp)
	var out []string
	for _, d := range resp.Devices {
		out = append(out, d.DeviceID)
	}
	slices.Sort(out)
	return out
}
