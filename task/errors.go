package task

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	// ErrStopped is returned by every [Supervisor.Stop] after the first.
	ErrStopped = errors.New("task: supervisor already stopped")
	// ErrOwnerDown is the {shutdown, _} value a linked task exits with when
	// its owner died (or gave up on it) before the task could link to it
	// (Elixir's {shutdown, owner_down}).
	ErrOwnerDown = errors.New("task: owner down")
)

// TimeoutError says that a task did not reply in time: [Task.Await]
// returns it when its timeout passes, and [Stream] yields it for an item
// that ran past its [Timeout]. It matches [context.DeadlineExceeded] with
// errors.Is, and has the Timeout method of net.Error.
type TimeoutError struct {
	// PID is the task that did not reply.
	PID process.PID
	// After is the timeout that passed.
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("task: %v did not reply within %v", e.PID, e.After)
}

// Is matches [context.DeadlineExceeded].
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true.
func (e *TimeoutError) Timeout() bool { return true }

// ExitError says that a task process died without a result (Elixir's
// {:exit, reason}). Reason is its exit reason: a *[process.PanicError]
// for a panic, [process.Killed] or [process.Shutdown] when it was stopped.
type ExitError struct {
	PID    process.PID
	Reason error
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("task: %v exited: %s", e.PID, process.FormatReason(e.Reason))
}

// Unwrap returns the exit reason, so errors.As(err, new(*process.PanicError))
// finds a panic.
func (e *ExitError) Unwrap() error { return e.Reason }
