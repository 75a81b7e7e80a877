package testserver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// process is one running dendrite started by the harness.
type process struct {
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done is closed
}

// startProcess starts bin with args in dir (no shell), appending its
// stdout and stderr to logPath.
func startProcess(bin string, args []string, dir, logPath string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("failed to open the server log: %w", err)
	}
	defer logf.Close() // the child keeps its own descriptor
	fmt.Fprintf(logf, "\n=== testserver: %s %s (%s)\n", bin, strings.Join(args, " "), time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Env = os.Environ()
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("failed to start %s: %w", bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the exit.
func (p *process) kill() {
	if p.exited() {
		return
	}
	_ = forceKill(p.cmd.Process)
	<-p.done
}

// stop sends SIGTERM, waits up to grace for the exit, then kills.
func (p *process) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	_ = terminate(p.cmd.Process)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
}

// exitError describes why the process ended (for readiness failures).
func (p *process) exitError() error {
	if p.waitErr != nil {
		return p.waitErr
	}
	return errors.New("exited with status 0")
}

// tailFile returns about the last max bytes of path, starting at a line boundary.
func tailFile(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	off := fi.Size() - max
	if off < 0 {
		off = 0
	}
	data, err := io.ReadAll(io.NewSectionReader(f, off, fi.Size()-off))
	if err != nil {
		return fmt.Sprintf("(failed to read the log: %v)", err)
	}
	s := string(data)
	if off > 0 {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
	}
	return s
}

func tail(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return "..." + s[len(s)-max:]
}
