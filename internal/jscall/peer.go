package jscall

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"bosmessenger/internal/nodeproc"
	"bosmessenger/internal/ringbuf"
)

const (
	startTimeout   = 90 * time.Second // Node, Chromium and the page (a few seconds when idle)
	defaultTimeout = 60 * time.Second // per call when ctx has no deadline
	stopGrace      = 5 * time.Second
	logKeep        = 256 << 10
	logPrint       = 64 << 10 // printed on test failure
	maxLine        = 16 << 20
)

// Options describe a browser peer.
type Options struct {
	Homeserver string  // client-server API base URL
	User       string  // localpart (or full user ID) to log in as
	Password   string  //
	ToneHz     float64 // frequency of the fake microphone's sine (default 440)
	NoCrypto   bool    // skip the Rust crypto (plain rooms only)
}

// Peer is one matrix-js-sdk client in a headless Chromium driven by one Node process.
type Peer struct {
	cmd    *exec.Cmd
	proc   *nodeproc.Proc
	logs   *ringbuf.Buffer
	pushes *pushLog
	ready  chan string // the user agent, from the driver's ready line

	UserID    string
	DeviceID  string
	UserAgent string
}

// line is a push line the driver writes to stdout (answers are nodeproc's).
type line struct {
	Ready     bool   `json:"ready"`
	UserAgent string `json:"user_agent"`
	Push
}

// Start installs what is missing, launches a browser peer whose microphone plays a sine of
// opts.ToneHz and logs it in (with Rust crypto unless opts.NoCrypto). The peer is closed when
// the test ends; the browser's console log is printed when the test failed.
func Start(t testing.TB, opts Options) *Peer {
	t.Helper()
	inst := Install(t)
	tone := filepath.Join(t.TempDir(), "tone.wav")
	hz := opts.ToneHz
	if hz == 0 {
		hz = 440
	}
	if err := WriteToneWAV(tone, hz, 2); err != nil {
		t.Fatal(err)
	}
	p, err := StartE(context.Background(), inst, tone)
	if err != nil {
		t.Fatalf("jscall: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("jscall %s log tail:\n%s", p.UserID, tail(p.Logs(), logPrint))
		}
		p.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := p.Login(ctx, opts.Homeserver, opts.User, opts.Password, !opts.NoCrypto); err != nil {
		t.Fatalf("jscall: login %s: %v", opts.User, err)
	}
	return p
}

// StartE launches the driver and the browser with tone as its microphone; the caller must
// Close the peer.
func StartE(ctx context.Context, inst *Installation, tone string) (*Peer, error) {
	p := &Peer{logs: ringbuf.New(logKeep), pushes: newPushLog(), ready: make(chan string, 1)}
	p.cmd = exec.Command(inst.Node, filepath.Join(inst.WebDir, "driver.mjs"), inst.WebDir, tone)
	p.cmd.Dir = inst.WebDir
	p.cmd.Env = append(os.Environ(), "CHROMIUM="+inst.Chromium)
	p.cmd.Stderr = p.logs
	setProcAttr(p.cmd)
	var err error
	if p.proc, err = nodeproc.Start(p.cmd, p.logs, maxLine, p.push); err != nil {
		return nil, err
	}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case p.UserAgent = <-p.ready:
		return p, nil
	case <-p.proc.Done():
		return nil, fmt.Errorf("failed to start the browser peer: the driver exited (%v)\n%s", p.proc.WaitErr(), tail(p.Logs(), 4000))
	case <-ctx.Done():
		p.Close()
		return nil, fmt.Errorf("failed to start the browser peer: %w", ctx.Err())
	case <-timer.C:
		p.Close()
		return nil, fmt.Errorf("failed to start the browser peer: no ready line after %s\n%s", startTimeout, tail(p.Logs(), 4000))
	}
}

// push takes a line of the driver that is not an answer.
func (p *Peer) push(data []byte) {
	var l line
	if err := json.Unmarshal(data, &l); err != nil {
		fmt.Fprintf(p.logs, "jscall: unexpected stdout line: %s\n", data)
		return
	}
	switch {
	case l.Ready:
		p.ready <- l.UserAgent
	case l.Push.Kind != "":
		p.pushes.add(l.Push)
	}
}

// call sends op with args to the page and decodes the result into out (if not nil). The page
// gets the remaining time as timeout_ms for its own waits.
func (p *Peer) call(ctx context.Context, op string, args map[string]any, out any) error {
	r, err := p.proc.Call(ctx, op, args, defaultTimeout)
	if err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("browser peer: %s: %s", op, r.Error)
	}
	return r.Decode(op, out)
}

// Close ends the driver (it closes the browser when stdin closes) and kills its process group
// if it is still running after a grace period.
func (p *Peer) Close() {
	p.proc.Close(stopGrace, func() { killGroup(p.cmd) })
}

// Logs returns the tail of the driver's stderr (browser console and driver log).
func (p *Peer) Logs() string { return p.logs.String() }

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
