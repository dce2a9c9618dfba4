//go:build !unix

package osproc

import (
	"os"
	"os/exec"
	"syscall"
)

// haveLimits: no limits here (nor process groups, SIGTERM or a
// parent-death signal).
const haveLimits = false

func sysProcAttr(*Command) *syscall.SysProcAttr { return nil }

func applyLimits(_ *exec.Cmd, l Limits) error {
	if l.zero() {
		return nil
	}
	return ErrUnsupported
}

// reap waits for the command and reaps it.
func reap(cmd *exec.Cmd) error { return cmd.Wait() }

// signalGroup kills the command itself: there is no process group and no
// SIGTERM, so every stop is a kill.
func signalGroup(pid int, _ syscall.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	if err := p.Kill(); err != nil && err != os.ErrProcessDone {
		return err
	}
	return nil
}
