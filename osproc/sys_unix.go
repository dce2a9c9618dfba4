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

// reap waits for the command and reaps it, then kills what is left of
// its process group. Without waitid(WNOWAIT) on every Unix, the kill
// comes after the reaping, when the group ID could in theory have been
// reused (Linux kills first).
func reap(cmd *exec.Cmd) error {
	err := cmd.Wait()
	_ = signalGroup(cmd.Process.Pid, syscall.SIGKILL)
	return err
}

// signalGroup sends sig to the command's process group.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
