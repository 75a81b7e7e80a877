package nodeproc

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// Response is an answer line: {"id": N, "ok": true, "result": ...} or {"id": N, "ok": false,
// "error": "..."}.
type Response struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// answer is the part of a stdout line that tells an answer (ID set) from a push.
type answer struct {
	ID *int64 `json:"id"`
	Response
}

// Proc is a started child process that answers requests written to its stdin, one JSON object
// {"id": N, "op": OP, "args": {...}} a line, with lines on its stdout that carry the same id.
// Other stdout lines (pushes) go to the push function given to Start.
type Proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	logs  io.Writer

	writeMu sync.Mutex
	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan Response
	done    chan struct{} // closed when stdout ends (the process is gone)
	waitErr error         // exit status, set before done closes
}

// Start starts cmd (its Stderr set by the caller) and reads its stdout lines of up to maxLine
// bytes until it closes. push gets every line that is not an answer, on the reading goroutine;
// lines that are not JSON are noted in logs.
func Start(cmd *exec.Cmd, logs io.Writer, maxLine int, push func(line []byte)) (*Proc, error) {
	p := &Proc{cmd: cmd, logs: logs, pending: map[int64]chan Response{}, done: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("failed to create the stdin pipe: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("failed to create the stdout pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("failed to start %s: %w", cmd.Path, err)
	}
	go p.read(stdout, maxLine, push)
	return p, nil
}

func (p *Proc) read(stdout io.Reader, maxLine int, push func([]byte)) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		var a answer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			fmt.Fprintf(p.logs, "nodeproc: unexpected stdout line: %s\n", sc.Bytes())
			continue
		}
		if a.ID == nil {
			push(sc.Bytes())
			continue
		}
		p.mu.Lock()
		ch := p.pending[*a.ID]
		delete(p.pending, *a.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- a.Response
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(p.logs, "nodeproc: reading stdout: %v\n", err)
	}
	p.waitErr = p.cmd.Wait()
	close(p.done)
}

// Done is closed when the process is gone (its stdout ended and it was waited for).
func (p *Proc) Done() <-chan struct{} { return p.done }

// WaitErr is the process's exit status; valid once Done is closed.
func (p *Proc) WaitErr() error { return p.waitErr }

// Call sends op with args and returns its answer. Without a ctx deadline it waits
// defaultTimeout; the child gets the remaining time as args["timeout_ms"] for its own waits.
// An answer with OK false is returned as it is, for the caller to turn into its error.
func (p *Proc) Call(ctx context.Context, op string, args map[string]any, defaultTimeout time.Duration) (Response, error) {
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

	ch := make(chan Response, 1)
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
		return Response{}, fmt.Errorf("failed to encode the %s request: %w", op, err)
	}
	p.writeMu.Lock()
	_, err = p.stdin.Write(append(data, '\n'))
	p.writeMu.Unlock()
	if err != nil {
		return Response{}, fmt.Errorf("failed to send the %s request: %w", op, err)
	}
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return Response{}, fmt.Errorf("no answer to %s: %w", op, ctx.Err())
	case <-p.done:
		return Response{}, fmt.Errorf("the process exited during %s: %v", op, p.waitErr)
	}
}

// Decode unmarshals the result of a successful answer into out (if not nil).
func (r Response) Decode(op string, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("failed to decode the %s answer: %w", op, err)
	}
	return nil
}

// Close closes stdin (the child then exits) and, if it is still running after grace, calls
// kill; it returns once the process is gone.
func (p *Proc) Close(grace time.Duration, kill func()) {
	p.writeMu.Lock()
	_ = p.stdin.Close()
	p.writeMu.Unlock()
	select {
	case <-p.done:
		return
	case <-time.After(grace):
	}
	kill()
	<-p.done
}
