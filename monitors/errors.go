package monitors

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/process"
)

var (
	// ErrNotFound is matched by the *[NotFoundError] Demonitor returns for
	// a ref that names no active monitor (never made, already removed, or
	// already fired because its target or caller died).
	ErrNotFound = errors.New("monitors: unknown monitor ref")
	// ErrClosed is returned by every operation on a manager after Close.
	ErrClosed = errors.New("monitors: manager closed")
	// ErrInvalidOption is matched by every error New returns for bad
	// input (a nil node or option, a duration that is not positive).
	ErrInvalidOption = errors.New("monitors: invalid option")
)

// NotFoundError is returned by [Manager.Demonitor] for a ref that names
// no active monitor. It matches [ErrNotFound]. When the monitor fired
// (its target died), its [Down] is in, or on its way to, the caller's
// mailbox, as after OTP's demonitor/1 returning false.
type NotFoundError struct {
	Ref Ref
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("monitors: unknown monitor ref %v", e.Ref)
}

// Is matches ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// CallerError is returned by [Manager.Monitor] when the caller cannot own
// a monitor: it is the zero PID, dead (Reason matches process.NoProc or
// the caller's exit reason), or on another node. Unwrap gives the reason.
type CallerError struct {
	Caller process.PID
	Reason error
}

func (e *CallerError) Error() string {
	return fmt.Sprintf("monitors: caller %v cannot own a monitor: %v", e.Caller, e.Reason)
}

// Unwrap returns the reason (for example a *process.NoProcError).
func (e *CallerError) Unwrap() error { return e.Reason }

type optionError struct{ msg string }

func (e *optionError) Error() string        { return "monitors: invalid option: " + e.msg }
func (e *optionError) Is(target error) bool { return target == ErrInvalidOption }

// ErrCloseTimeout is matched by the *[CloseTimeoutError] of a Close whose
// leak-check process did not die in time.
var ErrCloseTimeout = errors.New("monitors: leak-check process did not stop in time")

// CloseTimeoutError is returned by [Manager.Close] and
// [Manager.CloseContext] when the leak-check process is still alive at
// the deadline (a zombie in the making: see process.Node.Zombies). The
// manager is closed all the same. It matches [ErrCloseTimeout]; Unwrap
// gives the context's error.
type CloseTimeoutError struct {
	Checker process.PID
	Err     error
}

func (e *CloseTimeoutError) Error() string {
	return fmt.Sprintf("monitors: leak-check process %v did not stop: %v", e.Checker, e.Err)
}

// Is matches ErrCloseTimeout.
func (e *CloseTimeoutError) Is(target error) bool { return target == ErrCloseTimeout }

// Unwrap returns the context's error.
func (e *CloseTimeoutError) Unwrap() error { return e.Err }

// AlreadyStartedError is returned by [Manager.Start] and
// [Manager.StartLink] while a leak-check process of the manager is alive.
type AlreadyStartedError struct {
	PID process.PID
}

func (e *AlreadyStartedError) Error() string {
	return fmt.Sprintf("monitors: leak-check process already running as %v", e.PID)
}
