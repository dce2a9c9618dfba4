package osproc

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrExited is matched by the exit reason of a command that exited
	// with a non-zero status or was killed by a signal (*[ExitError]).
	ErrExited = errors.New("osproc: command failed")
	// ErrTimeout is matched by the exit reason of a command stopped
	// because its [Command.Timeout] passed (*[ExitError] with TimedOut).
	ErrTimeout = errors.New("osproc: command timed out")
	// ErrNoStdin is returned by [Write] and [CloseStdin] for a command
	// started without [Command.Stdin], or whose standard input is closed.
	ErrNoStdin = errors.New("osproc: no standard input")
	// ErrNotRunning is returned by the calls on a command whose process
	// has ended (or by a PID that is not a command).
	ErrNotRunning = errors.New("osproc: command not running")
	// ErrUnsupported is returned when a [Command] asks for a feature
	// this operating system does not offer (see the package doc).
	ErrUnsupported = errors.New("osproc: unsupported on this platform")
)

// ExitError is the exit reason of a command that did not exit with status
// 0: Code is its exit status, or -1 when Signal (non-zero) killed it.
// TimedOut is set when the command was stopped because its run timeout
// passed. Supervisors treat it as any abnormal exit reason, so a Transient
// command is restarted after it.
type ExitError struct {
	Path     string
	OSPID    int
	Code     int
	Signal   syscall.Signal
	TimedOut bool
	Timeout  time.Duration
}

func (e *ExitError) Error() string {
	var what string
	if e.Signal != 0 {
		what = fmt.Sprintf("killed by signal %d (%v)", int(e.Signal), e.Signal)
	} else {
		what = fmt.Sprintf("exit status %d", e.Code)
	}
	if e.TimedOut {
		return fmt.Sprintf("osproc: %s (pid %d) timed out after %v: %s", e.Path, e.OSPID, e.Timeout, what)
	}
	return fmt.Sprintf("osproc: %s (pid %d): %s", e.Path, e.OSPID, what)
}

// Is makes errors.Is(err, ErrExited) true, and errors.Is(err, ErrTimeout)
// true when the run timeout stopped the command.
func (e *ExitError) Is(target error) bool {
	return target == ErrExited || (e.TimedOut && target == ErrTimeout)
}

// StartError is the error of a command that could not be started: the
// program was not found or not executable, the directory does not exist,
// or a limit could not be applied (Op says which step failed).
type StartError struct {
	Path string
	Op   string
	Err  error
}

func (e *StartError) Error() string {
	return fmt.Sprintf("osproc: start %s: %s: %v", e.Path, e.Op, e.Err)
}

// Unwrap returns the underlying error (an *exec.Error, *fs.PathError or
// errno).
func (e *StartError) Unwrap() error { return e.Err }
