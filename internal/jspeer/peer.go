package jspeer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"bosmessenger/internal/ringbuf"
)

const (
	startTimeout   = 60 * time.Second // Node start and SDK import (about 1 s)
	defaultTimeout = 30 * time.Second // per call when ctx has no deadline
	stopGrace      = 3 * time.Second
	stderrKeep     = 256 << 10
	stderrPrint    = 64 << 10 // printed on test failure
	maxLine        = 64 << 20
)

// Peer is one matrix-js-sdk client in its own Node process.
type Peer struct {
	homeserver string
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	stderr     *ringbuf.Buffer
	events     *eventStore
	sdkVersion string

	writeMu sync.Mutex
	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan response
	done    chan struct{} // closed when stdout ends (the process is gone)
	waitErr error         // exit status, set before done closes

	idMu     sync.Mutex
	userID   string
	deviceID string
}

// response is one answer line from Node.
type response struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// line is any line Node writes to stdout: an answer (ID set) or a push.
type line struct {
	ID *int64 `json:"id"`
	response
	Push       string `json:"push"`
	Event      *Event `json:"event"`
	SDKVersion string `json:"sdk_version"`
}

// Start installs the npm dependencies if needed and starts a peer for the
// homeserver at homeserverURL. The process is killed when the test ends;
// its stderr (the SDK's log) is printed when the test failed.
func Start(t testing.TB, homeserverURL string) *Peer {
	t.Helper()
	Install(t)
	p, err := StartE(context.Background(), homeserverURL)
	if err != nil {
		t.Fatalf("jspeer: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("jspeer %s stderr tail:\n%s", p.label(), tailString(p.Logs(), stderrPrint))
		}
		p.Close()
	})
	return p
}

// StartE is Start without testing.TB; the caller must Close the peer.
func StartE(ctx context.Context, homeserverURL string) (*Peer, error) {
	dir, err := InstallE(ctx)
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("failed to find node: %w", err)
	}
	script, err := writeScript(dir)
	if err != nil {
		return nil, err
	}
	p := &Peer{
		homeserver: homeserverURL,
		stderr:     ringbuf.New(stderrKeep),
		events:     newEventStore(),
		pending:    map[int64]chan response{},
		done:       make(chan struct{}),
	}
	p.cmd = exec.Command(node, script)
	p.cmd.Dir = filepath.Dir(script)
	p.cmd.Stderr = p.stderr
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
	if err := p.waitReady(ctx, ready); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Peer) waitReady(ctx context.Context, ready <-chan string) error {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case p.sdkVersion = <-ready:
		return nil
	case <-p.done:
		return fmt.Errorf("failed to start the js peer: node exited (%v)\n%s", p.waitErr, tailString(p.Logs(), 4000))
	case <-ctx.Done():
		return fmt.Errorf("failed to start the js peer: %w", ctx.Err())
	case <-timer.C:
		return fmt.Errorf("failed to start the js peer: no ready line after %s\n%s", startTimeout, tailString(p.Logs(), 4000))
	}
}

// read dispatches Node's stdout lines until it closes, then fails all pending calls.
func (p *Peer) read(stdout io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			fmt.Fprintf(p.stderr, "jspeer: unexpected stdout line: %s\n", sc.Bytes())
			continue
		}
		p.dispatch(l, ready)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(p.stderr, "jspeer: reading stdout: %v\n", err)
	}
	p.waitErr = p.cmd.Wait()
	close(p.done)
}

func (p *Peer) dispatch(l line, ready chan<- string) {
	if l.ID != nil {
		p.mu.Lock()
		ch := p.pending[*l.ID]
		delete(p.pending, *l.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- l.response
		}
		return
	}
	switch l.Push {
	case "ready":
		ready <- l.SDKVersion
	case "event":
		if l.Event != nil {
			p.events.put(*l.Event)
		}
	}
}

// call sends op with args and decodes the result into out (if not nil).
// Without a ctx deadline it waits defaultTimeout. Node gets the remaining
// time as timeout_ms for its own waits.
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
			return &RemoteError{Op: op, Message: r.Error}
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
		return fmt.Errorf("node exited during %s: %v", op, p.waitErr)
	}
}

// RemoteError is an error thrown by the SDK inside the Node process.
type RemoteError struct {
	Op      string
	Message string // the JS error message, "ERRCODE: message" for Matrix errors
}

func (e *RemoteError) Error() string { return "js peer: " + e.Message }

// Close ends the Node process: it closes stdin (the script then exits) and
// kills the process if it is still running after a grace period.
func (p *Peer) Close() {
	p.writeMu.Lock()
	_ = p.stdin.Close()
	p.writeMu.Unlock()
	select {
	case <-p.done:
		return
	case <-time.After(stopGrace):
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Logs returns the tail of the Node process's stderr (the SDK's log).
func (p *Peer) Logs() string { return p.stderr.String() }

// SDKVersion is the matrix-js-sdk version the peer runs.
func (p *Peer) SDKVersion() string { return p.sdkVersion }

// UserID is the logged-in user ("" before Login).
func (p *Peer) UserID() string {
	p.idMu.Lock()
	defer p.idMu.Unlock()
	return p.userID
}

// DeviceID is the device of the login ("" before Login).
func (p *Peer) DeviceID() string {
	p.idMu.Lock()
	defer p.idMu.Unlock()
	return p.deviceID
}

func (p *Peer) label() string {
	if id := p.UserID(); id != "" {
		return id + "/" + p.DeviceID()
	}
	return "(not logged in)"
}
