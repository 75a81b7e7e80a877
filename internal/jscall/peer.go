package jscall

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

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
	stdin  io.WriteCloser
	logs   *ringbuf.Buffer
	pushes *pushLog

	writeMu sync.Mutex
	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan response
	done    chan struct{} // closed when stdout ends (the process is gone)
	waitErr error

	UserID    string
	DeviceID  string
	UserAgent string
}

type response struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// line is any line the driver writes to stdout.
type line struct {
	ID *int64 `json:"id"`
	response
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
	p := &Peer{
		logs:    ringbuf.New(logKeep),
		pushes:  newPushLog(),
		pending: map[int64]chan response{},
		done:    make(chan struct{}),
	}
	p.cmd = exec.Command(inst.Node, filepath.Join(inst.WebDir, "driver.mjs"), inst.WebDir, tone)
	p.cmd.Dir = inst.WebDir
	p.cmd.Env = append(os.Environ(), "CHROMIUM="+inst.Chromium)
	p.cmd.Stderr = p.logs
	setProcAttr(p.cmd)
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("failed to create the stdin pipe: %w", err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("failed to create the stdout pipe: %w", err)
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("failed to start node: %w", err)
	}
	ready := make(chan string, 1)
	go p.read(stdout, ready)
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case p.UserAgent = <-ready:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("failed to start the browser peer: the driver exited (%v)\n%s", p.waitErr, tail(p.Logs(), 4000))
	case <-ctx.Done():
		p.Close()
		return nil, fmt.Errorf("failed to start the browser peer: %w", ctx.Err())
	case <-timer.C:
		p.Close()
		return nil, fmt.Errorf("failed to start the browser peer: no ready line after %s\n%s", startTimeout, tail(p.Logs(), 4000))
	}
}

// read dispatches the driver's stdout lines until it closes.
func (p *Peer) read(stdout io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			fmt.Fprintf(p.logs, "jscall: unexpected stdout line: %s\n", sc.Bytes())
			continue
		}
		switch {
		case l.ID != nil:
			p.mu.Lock()
			ch := p.pending[*l.ID]
			delete(p.pending, *l.ID)
			p.mu.Unlock()
			if ch != nil {
				ch <- l.response
			}
		case l.Ready:
			ready <- l.UserAgent
		case l.Push.Kind != "":
			p.pushes.add(l.Push)
		}
	}
	p.waitErr = p.cmd.Wait()
	close(p.done)
}

// call sends op with args to the page and decodes the result into out (if not nil). The page
// gets the remaining time as timeout_ms for its own waits.
func (p *Peer) call(ctx context.Context, op string, args map[string]any, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	if args == nil {
		args = map[string]any{}
	}
	args["timeout_ms"] = max(int64(time.Until(deadline)/time.Millisecond)-250, 100)
	ch := make(chan response, 1)
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	p.pending[id] = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
	}()
	data, err := json.Marshal(map[string]any{"id": id, "op": op, "args": args})
	if err != nil {
		return fmt.Errorf("failed to encode the %s request: %w", op, err)
	}
	p.writeMu.Lock()
	_, err = p.stdin.Write(append(data, '\n'))
	p.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("failed to send the %s request: %w", op, err)
	}
	select {
	case r := <-ch:
		if !r.OK {
			return fmt.Errorf("browser peer: %s: %s", op, r.Error)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				return fmt.Errorf("failed to decode the %s answer: %w", op, err)
			}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no answer to %s: %w", op, ctx.Err())
	case <-p.done:
		return fmt.Errorf("the browser peer exited during %s: %v", op, p.waitErr)
	}
}

// Close ends the driver (it closes the browser when stdin closes) and kills its process group
// if it is still running after a grace period.
func (p *Peer) Close() {
	p.writeMu.Lock()
	_ = p.stdin.Close()
	p.writeMu.Unlock()
	select {
	case <-p.done:
		return
	case <-time.After(stopGrace):
	}
	killGroup(p.cmd)
	<-p.done
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
