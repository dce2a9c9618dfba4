package monitors

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrNotFound is matched by the *[NotFoundError] Demonitor returns for
	// a ref that names no active monitor (never made, already removed, or
	// already fired because its target or caller died).
	ErrNotFound = errors.New("monitors: unknown monitor ref")
	// ErrClosed is returned by every operation on a manager after Close.
	ErrClosed = errors.New("monitors: manager closed")
	// ErrInvalidOption is matched by every error New, Start and
	// StartLink return for bad input (a nil node, parent or option, a
	// duration that is not positive); each matches [ErrInvalidArgument]
	// as well.
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

// Is matches ErrNotFound, and ErrInvalidArgument for the zero Ref (which
// names no monitor: bad input).
func (e *NotFoundError) Is(target error) bool {
	return target == ErrNotFound || target == ErrInvalidArgument && e.Ref.IsZero()
}

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

// argError is an *ArgumentError that also matches a more precise
// sentinel (ErrInvalidOption, ErrNotFound, process.ErrInvalidPID).
type argError struct {
	arg  *argerr.Error
	also error
}

func (e *argError) Error() string        { return e.arg.Error() }
func (e *argError) Is(target error) bool { return target == e.also }
func (e *argError) Unwrap() error        { return e.arg }

func invalid(also error, op, arg, reason string) error {
	return &argError{arg: &argerr.Error{Op: op, Arg: arg, Reason: reason}, also: also}
}

func invalidOption(op, arg, reason string) error { return invalid(ErrInvalidOption, op, arg, reason) }

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
