//go:build linux

package main

// The harness of the GUI smoke test and the GUI benchmark: TestMain builds the real bosmessenger
// and bosctl binaries once; the tests run them as separate processes under Xvfb against a real
// Dendrite (internal/testserver), drive the window with xdotool and take screenshots with
// ImageMagick's import. The app reports its milestones in the trace file named by
// BOSMESSENGER_UI_TRACE (ui/trace.go). Linux only: Xvfb, and memory figures from /proc.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/ui"
)

const (
	testPassword   = "correct-horse-battery"
	testPassphrase = "bosmessenger gui test store passphrase"
	cmdTimeout     = 2 * time.Minute
	windowTitle    = "BOS Messenger" // app.title, the same in German and English
)

var (
	appBin    string // bosmessenger under test
	bosctlBin string // bosctl, to prepare accounts and play the other user
	binDir    string // where both were built
	xdgDir    string // XDG_DATA_HOME and XDG_CONFIG_HOME of the started processes
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "bosmessenger-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bosmessenger test:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binDir, xdgDir = tmp, filepath.Join(tmp, "xdg")
	appBin, bosctlBin = filepath.Join(tmp, "bosmessenger"), filepath.Join(tmp, "bosctl")
	for _, b := range []struct{ out, pkg string }{{appBin, "bosmessenger/cmd/bosmessenger"}, {bosctlBin, "bosmessenger/cmd/bosctl"}} {
		if err := goBuild(b.out, b.pkg, raceEnabled); err != nil {
			fmt.Fprintln(os.Stderr, "bosmessenger test:", err)
			return 1
		}
	}
	return testserver.Main(m)
}

// goBuild builds pkg with -tags goolm (and -race when race is set, like the test binary) into out.
func goBuild(out, pkg string, race bool) error {
	args := []string{"build", "-tags", "goolm"}
	if race {
		// Argon2id (the store unlock) is not instrumented: the race detector makes it several
		// times slower, and its internal goroutines are no concern of ours.
		args = append(args, "-race", "-gcflags=golang.org/x/crypto/argon2=-race=false")
	}
	args = append(args, "-o", out, pkg)
	cmd := exec.Command(goTool(), args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// goTool finds the go command: the one on PATH, else the standard install location.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/local/go/bin/go"); err == nil {
		return "/usr/local/go/bin/go"
	}
	return "go"
}

// guiTools are the programs the GUI tests drive the window with (Debian: xvfb, xdotool,
// imagemagick; scripts/deps.sh installs them).
var guiTools = []string{"Xvfb", "xdotool", "import"}

// requireGUITools fails the test under CI=true when a GUI tool is missing, and skips it elsewhere.
func requireGUITools(t testing.TB) {
	t.Helper()
	var missing []string
	for _, tool := range guiTools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("missing %s (install with `make deps`: xvfb xdotool imagemagick)", strings.Join(missing, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; the GUI test is required under CI=true", msg)
		return
	}
	t.Skip(msg)
}

// environ is the environment of the started processes: ours without the variables the tests set
// themselves, plus the store passphrase, private XDG dirs (never the user's data and Fyne
// settings), the display and the language.
func environ(display, lang string, extra ...string) []string {
	drop := map[string]bool{"BOSCTL_PASSWORD": true, "BOSMESSENGER_PASSPHRASE": true, "XDG_DATA_HOME": true,
		"XDG_CONFIG_HOME": true, "DISPLAY": true, "WAYLAND_DISPLAY": true, "LANG": true, "LC_ALL": true,
		"LC_MESSAGES": true, ui.TraceEnv: true}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "BOSMESSENGER_PASSPHRASE="+testPassphrase,
		"XDG_DATA_HOME="+filepath.Join(xdgDir, "data"), "XDG_CONFIG_HOME="+filepath.Join(xdgDir, "config"))
	if display != "" {
		env = append(env, "DISPLAY="+display)
	}
	if lang != "" {
		env = append(env, "LANG="+lang)
	}
	return append(env, extra...)
}

// run runs a program to the end and returns its stdout; a non-zero exit fails the test.
func run(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", filepath.Base(name), strings.Join(args, " "), err,
			stdout.String(), stderr.String())
	}
	return stdout.String()
}

// localparts counts the localparts registered per server (the tests share one).
var localparts = struct {
	sync.Mutex
	used map[string]int
}{used: map[string]int{}}

// freshLocalpart returns localpart if srv has not seen it from these tests, else localpart2,
// localpart3 and so on.
func freshLocalpart(srv *testserver.Server, localpart string) string {
	localparts.Lock()
	defer localparts.Unlock()
	key := srv.ServerName + "/" + localpart
	localparts.used[key]++
	if n := localparts.used[key]; n > 1 {
		return localpart + strconv.Itoa(n)
	}
	return localpart
}

// account is a registered user with its own data dir, signed in with bosctl.
type account struct {
	local, id, dir string
}

// newAccount registers localpart on srv and signs it in with `bosctl login`. The tests share
// one server: a localpart already taken there gets a number (the first keeps the bare name the
// screenshots show).
func newAccount(t testing.TB, srv *testserver.Server, localpart string) *account {
	t.Helper()
	localpart = freshLocalpart(srv, localpart)
	a := &account{local: localpart, id: srv.Register(t, localpart, testPassword), dir: t.TempDir()}
	out := run(t, environ("", "", "BOSCTL_PASSWORD="+testPassword), bosctlBin, "--data", a.dir, "login",
		"--homeserver", srv.URL, "--user", localpart)
	if !strings.HasPrefix(out, "Logged in as "+a.id+" ") {
		t.Fatalf("unexpected bosctl login output %q", out)
	}
	return a
}

// bosctl runs bosctl on the account's data dir and returns its stdout.
func (a *account) bosctl(t testing.TB, args ...string) string {
	t.Helper()
	return run(t, environ("", ""), bosctlBin, append([]string{"--data", a.dir}, args...)...)
}

var (
	roomIDRe  = regexp.MustCompile(`^![^\s:]+:\S+$`)
	eventIDRe = regexp.MustCompile(`^\$\S+$`)
)

// oneID checks that out is exactly one line matching re and returns it.
func oneID(t testing.TB, out string, re *regexp.Regexp) string {
	t.Helper()
	s := strings.TrimSuffix(out, "\n")
	if strings.Contains(s, "\n") || !re.MatchString(s) {
		t.Fatalf("want one ID line matching %s, got %q", re, out)
	}
	return s
}

// xserver is an Xvfb started by the test.
type xserver struct {
	display string
	cmd     *exec.Cmd
	done    chan struct{}
}

// startXvfb starts Xvfb (1280x800x24, no TCP) on the first free display of :90 to :99 and stops it
// when the test ends.
func startXvfb(t testing.TB) *xserver {
	t.Helper()
	var errs []error
	for n := 90; n <= 99; n++ {
		if _, err := os.Stat(lockPath(n)); err == nil {
			continue // taken (by another test run or worker)
		}
		x, err := tryXvfb(n)
		if err == nil {
			t.Cleanup(x.stop)
			return x
		}
		errs = append(errs, err)
	}
	t.Fatalf("no Xvfb could be started on :90 to :99: %v", errors.Join(errs...))
	return nil
}

func lockPath(n int) string { return fmt.Sprintf("/tmp/.X%d-lock", n) }

func tryXvfb(n int) (*xserver, error) {
	display := fmt.Sprintf(":%d", n)
	cmd := exec.Command("Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	x := &xserver{display: display, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(x.done) }()
	socket := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-x.done:
			return nil, fmt.Errorf("%s: Xvfb exited: %s", display, strings.TrimSpace(stderr.String()))
		case <-time.After(20 * time.Millisecond):
		}
		// The display is ours once the lock file holds our PID (another Xvfb that won the race for
		// the number has its own there), and the server answers on the socket.
		if lock, err := os.ReadFile(lockPath(n)); err == nil && strings.TrimSpace(string(lock)) == strconv.Itoa(cmd.Process.Pid) {
			if _, err := os.Stat(socket); err == nil && xdotoolOn(display, "getdisplaygeometry") == nil {
				return x, nil
			}
		}
	}
	x.stop()
	return nil, fmt.Errorf("%s: Xvfb did not answer within 10 s: %s", display, strings.TrimSpace(stderr.String()))
}

func xdotoolOn(display string, args ...string) error {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = environ(display, "")
	return cmd.Run()
}

// keepScreen saves a screenshot of the whole screen where the test's temp dirs do not remove it,
// for a look at a failed test.
func (x *xserver) keepScreen(t testing.TB) {
	dir, err := os.MkdirTemp("", "bosmessenger-gui-failure-")
	if err != nil {
		return
	}
	path := filepath.Join(dir, "screen.png")
	cmd := exec.Command("import", "-window", "root", path)
	cmd.Env = environ(x.display, "")
	if err := cmd.Run(); err == nil {
		t.Logf("screen at the failure: %s", path)
	}
}

func (x *xserver) stop() {
	_ = x.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-x.done:
	case <-time.After(5 * time.Second):
		_ = x.cmd.Process.Kill()
		<-x.done
	}
}

// xdotool runs xdotool on the display and returns its trimmed stdout.
func (x *xserver) xdotool(t testing.TB, args ...string) string {
	t.Helper()
	return strings.TrimSpace(run(t, environ(x.display, ""), "xdotool", args...))
}

// waitWindow waits until a visible window with the title exists and returns its ID.
func (x *xserver) waitWindow(t testing.TB, title string, timeout time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^"+regexp.QuoteMeta(title)+"$")
	cmd.Env = environ(x.display, "")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("no visible window %q on %s within %v: %v", title, x.display, timeout, err)
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		t.Fatalf("xdotool search found no window %q", title)
	}
	return ids[0]
}

// geometry is a window's position and size on the screen.
type geometry struct{ x, y, w, h int }

func (x *xserver) geometry(t testing.TB, win string) geometry {
	t.Helper()
	var g geometry
	vals := map[string]*int{"X": &g.x, "Y": &g.y, "WIDTH": &g.w, "HEIGHT": &g.h}
	for _, line := range strings.Split(x.xdotool(t, "getwindowgeometry", "--shell", win), "\n") {
		k, v, _ := strings.Cut(line, "=")
		if p := vals[k]; p != nil {
			*p, _ = strconv.Atoi(v)
		}
	}
	if g.w == 0 || g.h == 0 {
		t.Fatalf("window %s has no size", win)
	}
	return g
}

// screenshot captures the screen (import -window root), crops it to the window's geometry,
// writes the PNG to path and returns the number of distinct colours in it.
func (x *xserver) screenshot(t testing.TB, win, path string) int {
	t.Helper()
	g := x.geometry(t, win)
	raw := filepath.Join(t.TempDir(), "root.png")
	run(t, environ(x.display, ""), "import", "-window", "root", raw)
	f, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", raw, err)
	}
	r := image.Rect(g.x, g.y, g.x+g.w, g.y+g.h).Intersect(img.Bounds())
	crop := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(crop, crop.Bounds(), img, r.Min, draw.Src)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, crop); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	colours := map[[4]uint8]bool{}
	for i := 0; i+3 < len(crop.Pix); i += 4 {
		colours[[4]uint8(crop.Pix[i:i+4])] = true
	}
	return len(colours)
}

// appProc is a running bosmessenger (or the empty window) under test.
type appProc struct {
	t       testing.TB
	cmd     *exec.Cmd
	start   time.Time
	trace   string // the trace file (BOSMESSENGER_UI_TRACE)
	stderr  string // where its stderr goes
	dataDir string
	done    chan struct{}
	err     error // of Wait, once done is closed
}

// startProc starts bin with args on the display; the trace file and stderr go to a fresh temp dir.
func startProc(t testing.TB, x *xserver, lang, dataDir, bin string, args ...string) *appProc {
	t.Helper()
	dir := t.TempDir()
	p := &appProc{t: t, trace: filepath.Join(dir, "trace"), stderr: filepath.Join(dir, "stderr"), dataDir: dataDir,
		done: make(chan struct{})}
	errf, err := os.Create(p.stderr)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = environ(x.display, lang, ui.TraceEnv+"="+p.trace)
	p.cmd.Stdout, p.cmd.Stderr = errf, errf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		errf.Close()
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		errf.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			p.logTails()
			x.keepScreen(t)
		}
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	return p
}

// startApp starts bosmessenger on the account's data dir, with --room when room is not empty.
func startApp(t testing.TB, x *xserver, lang, dataDir, room string) *appProc {
	t.Helper()
	args := []string{"--data", dataDir}
	if room != "" {
		args = append(args, "--room", room)
	}
	return startProc(t, x, lang, dataDir, appBin, args...)
}

// logTails logs the end of the app's stderr, its log file and its trace.
func (p *appProc) logTails() {
	files := []string{p.stderr, p.trace}
	if p.dataDir != "" {
		files = append(files, filepath.Join(p.dataDir, "log", "bosmessenger.log"))
	}
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			s := string(data)
			if len(s) > 4000 {
				s = "..." + s[len(s)-4000:]
			}
			p.t.Logf("%s:\n%s", f, s)
		}
	}
}

// traceLine is one milestone from the trace: "<unix-ms> kind k=v ...".
type traceLine struct {
	ms   int64
	kind string
	args map[string]string
}

func (p *appProc) traceLines() []traceLine {
	data, err := os.ReadFile(p.trace)
	if err != nil {
		return nil
	}
	var out []traceLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		ms, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		l := traceLine{ms: ms, kind: f[1], args: map[string]string{}}
		for _, kv := range f[2:] {
			k, v, _ := strings.Cut(kv, "=")
			l.args[k] = v
		}
		out = append(out, l)
	}
	return out
}

// findTrace returns the first trace line of that kind whose arguments include want.
func (p *appProc) findTrace(kind string, want map[string]string) (traceLine, bool) {
	for _, l := range p.traceLines() {
		if l.kind != kind {
			continue
		}
		ok := true
		for k, v := range want {
			if l.args[k] != v {
				ok = false
			}
		}
		if ok {
			return l, true
		}
	}
	return traceLine{}, false
}

// waitTrace waits for a trace line (see findTrace); it fails the test when the app ends or the
// timeout passes first.
func (p *appProc) waitTrace(kind string, want map[string]string, timeout time.Duration) traceLine {
	p.t.Helper()
	var l traceLine
	eventually.True(p.t, timeout, fmt.Sprintf("the trace line %s %v", kind, want), func() bool {
		var ok bool
		if l, ok = p.findTrace(kind, want); ok {
			return true
		}
		select {
		case <-p.done:
			p.t.Fatalf("the app ended (%v) before its trace said %s %v", p.err, kind, want)
		default:
		}
		return false
	})
	return l
}

// terminate sends SIGTERM and waits up to timeout for the exit; it returns how long that took and
// whether the process exited with status 0 (rather than dying of the signal).
func (p *appProc) terminate(timeout time.Duration) (took time.Duration, clean bool) {
	p.t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("the app did not exit within %v of SIGTERM", timeout)
	}
	return time.Since(start), p.err == nil
}

// memory is what /proc says about a process's memory, in MiB (the kernel's kB are KiB), written
// "MB" like the other figures in docs/PERFORMANCE.md: resident set, its peak, and the proportional
// set size (shared pages divided among the processes sharing them).
type memory struct{ rss, hwm, pss float64 }

// mem reads VmRSS and VmHWM from /proc/PID/status and Pss from /proc/PID/smaps_rollup.
func (p *appProc) mem() memory {
	p.t.Helper()
	var m memory
	pid := p.cmd.Process.Pid
	m.rss = procKB(p.t, fmt.Sprintf("/proc/%d/status", pid), "VmRSS:") / 1024
	m.hwm = procKB(p.t, fmt.Sprintf("/proc/%d/status", pid), "VmHWM:") / 1024
	m.pss = procKB(p.t, fmt.Sprintf("/proc/%d/smaps_rollup", pid), "Pss:") / 1024
	return m
}

func procKB(t testing.TB, path, key string) float64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				v, err := strconv.ParseFloat(f[0], 64)
				if err == nil {
					return v
				}
			}
		}
	}
	t.Fatalf("%s: no %s line", path, key)
	return 0
}
