//go:build linux

package jscall

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the driver into its own process group, so that Close can end the browser
// it started too, and has the kernel kill it if the test binary dies first.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the driver's process group (the driver and its Chromium).
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
