package jspeer

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"bosmessenger/internal/nodeproc"
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
	proc       *nodeproc.Proc
	stderr     *ringbuf.Buffer
	events     *eventStore
	sdkVersion string
	ready      chan string // the SDK version, from Node's ready push

	idMu     sync.Mutex
	userID   string
	deviceID string
}

// line is a push line Node writes to stdout (answers are nodeproc's).
type line struct {
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
		ready:      make(chan string, 1),
	}
	p.cmd = exec.Command(node, script)
	p.cmd.Dir = filepath.Dir(script)
	p.cmd.Stderr = p.stderr
	if p.proc, err = nodeproc.Start(p.cmd, p.stderr, maxLine, p.push); err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Peer) waitReady(ctx context.Context) error {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case p.sdkVersion = <-p.ready:
		return nil
	case <-p.proc.Done():
		return fmt.Errorf("failed to start the js peer: node exited (%v)\n%s", p.proc.WaitErr(), tailString(p.Logs(), 4000))
	case <-ctx.Done():
		return fmt.Errorf("failed to start the js peer: %w", ctx.Err())
	case <-timer.C:
		return fmt.Errorf("failed to start the js peer: no ready line after %s\n%s", startTimeout, tailString(p.Logs(), 4000))
	}
}

// push takes a line of Node that is not an answer.
func (p *Peer) push(data []byte) {
	var l line
	if err := json.Unmarshal(data, &l); err != nil {
		fmt.Fprintf(p.stderr, "jspeer: unexpected stdout line: %s\n", data)
		return
	}
	switch l.Push {
	case "ready":
		p.ready <- l.SDKVersion
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
	r, err := p.proc.Call(ctx, op, args, defaultTimeout)
	if err != nil {
		return err
	}
	if !r.OK {
		return &RemoteError{Op: op, Message: r.Error}
	}
	return r.Decode(op, out)
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
	p.proc.Close(stopGrace, func() { _ = p.cmd.Process.Kill() })
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
