//go:build unix && !linux

package osproc

import (
	"errors"
	"os/exec"
	"syscall"
)

// haveLimits: no limits outside Linux (and no parent-death signal).
const haveLimits = false

// sysProcAttr puts the command in its own process group, so the whole
// group is signalled.
func sysProcAttr(*Command) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func applyLimits(_ *exec.Cmd, l Limits) error {
	if l.zero() {
		return nil
	}
	return ErrUnsupported
}

// waitExited returns at once: without waitid(WNOWAIT) the command is
// reaped by cmd.Wait, and the group is signalled after.
func waitExited(int) error { return nil }

// signalGroup sends sig to the command's process group.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
