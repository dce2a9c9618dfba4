//go:build linux

package osproc

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// haveLimits says whether this platform can set Limits.
const haveLimits = true

// sysProcAttr puts the command in its own process group (so the whole
// group is signalled), has the kernel kill it when the thread that
// started it dies (Pdeathsig, see startOnLockedThread), and, when limits
// are asked for, makes it stop right after its exec (Ptrace) so that
// applyLimits can set them before its first instruction.
func sysProcAttr(c *Command) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Setpgid:   true,
		Pdeathsig: syscall.SIGKILL,
		Ptrace:    !c.Limits.zero(),
	}
}

// applyLimits runs on the thread that started cmd (the tracer, since the
// command was started with PTRACE_TRACEME): it waits for the stop the
// kernel imposes after a traced exec, sets the limits with prlimit(2),
// and detaches, which lets the command run. No instruction of the
// command runs before its limits are set, unlike a prlimit after a plain
// start; and no helper program (a shell's ulimit, a re-exec of the Go
// binary) sits between the Go program and the command.
func applyLimits(cmd *exec.Cmd, l Limits) error {
	if l.zero() {
		return nil
	}
	pid := cmd.Process.Pid
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, syscall.WALL, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("wait for exec stop: %w", err)
		}
		break
	}
	if !ws.Stopped() {
		// Killed before its exec stop: Wait4 reaped it already.
		return fmt.Errorf("command did not stop after exec (status %#x)", uint32(ws))
	}
	if sig := ws.StopSignal(); sig != syscall.SIGTRAP {
		// The exec's SIGTRAP is synchronous, so it is reported before
		// any other pending signal; a stop by another signal is not the
		// exec stop. Detaching would swallow that signal and leave the
		// SIGTRAP pending, which would kill the command once untraced:
		// the start fails instead, the command killed still stopped.
		_ = cmd.Process.Kill()
		return fmt.Errorf("command stopped by %v before its exec stop", sig)
	}
	set := func(res int, v uint64) error {
		if v == 0 {
			return nil
		}
		lim := unix.Rlimit{Cur: v, Max: v}
		if err := unix.Prlimit(pid, res, &lim, nil); err != nil {
			return fmt.Errorf("prlimit %d: %w", res, err)
		}
		return nil
	}
	cpu := uint64(0)
	if l.CPU > 0 {
		cpu = uint64((l.CPU + 999_999_999) / 1_000_000_000)
	}
	if err := errors.Join(set(unix.RLIMIT_CPU, cpu), set(unix.RLIMIT_AS, l.Memory), set(unix.RLIMIT_NOFILE, l.Files)); err != nil {
		// Killed while still stopped: not one instruction of the command
		// runs without its limits (a detach first would let it run).
		_ = cmd.Process.Kill()
		return err
	}
	if err := syscall.PtraceDetach(pid); err != nil {
		_ = cmd.Process.Kill()
		return fmt.Errorf("ptrace detach: %w", err)
	}
	return nil
}

// reap waits for the command to exit, kills what is left of its process
// group (children it started and did not wait for), and reaps it. The
// command is reaped only after the kill: until then its PID, and so its
// process group ID, cannot be reused, so the kill cannot reach an
// unrelated process.
func reap(cmd *exec.Cmd) error {
	pid := cmd.Process.Pid
	var werr error
	for {
		var info unix.Siginfo
		werr = unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(werr, syscall.EINTR) {
			break
		}
	}
	_ = signalGroup(pid, syscall.SIGKILL)
	err := cmd.Wait()
	if werr != nil && err == nil {
		err = werr
	}
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
