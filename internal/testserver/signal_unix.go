//go:build unix

package testserver

import (
	"os"
	"syscall"
)

// terminate sends SIGTERM to the process group the harness created for p.
func terminate(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGTERM) }

// forceKill sends SIGKILL to the process group the harness created for p.
func forceKill(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
