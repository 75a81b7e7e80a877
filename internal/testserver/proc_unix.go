//go:build unix && !linux

package testserver

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the server in its own process group.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
