//go:build !unix

package testserver

import (
	"os"
	"os/exec"
)

func setProcAttr(*exec.Cmd) {}

func terminate(p *os.Process) error { return p.Kill() }

func forceKill(p *os.Process) error { return p.Kill() }
