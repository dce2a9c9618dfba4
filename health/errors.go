package health

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
	// ErrInvalidCheck is matched by the error of every call given a bad
	// [Check] or [Service]: an empty or malformed name, a nil function or
	// destination, a negative interval, timeout or history. Each such
	// error matches [ErrInvalidArgument] too.
	ErrInvalidCheck = errors.New("health: invalid check")
	// ErrDuplicate is matched when a check or service name is taken.
	ErrDuplicate = errors.New("health: duplicate name")
	// ErrNotFound is matched when no check or service has the name.
	ErrNotFound = errors.New("health: no such check")
	// ErrTimeout is matched by the result of a check that overran its
	// timeout (see [TimeoutError]).
	ErrTimeout = errors.New("health: check timed out")
	// ErrCrashed is matched by the result of a check whose process died
	// before reporting (a panic, a kill); see [CrashError].
	ErrCrashed = errors.New("health: check crashed")
	// ErrServiceDown is matched by the result of a service whose process
	// is not alive (see [ServiceDownError]).
	ErrServiceDown = errors.New("health: service down")
)

// TimeoutError is the result of a check that did not return within its
// timeout. The check's process is killed.
type TimeoutError struct {
	Check   string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("health: check %q timed out after %v", e.Check, e.Timeout)
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// CrashError is the result of a check whose process died without a
// result; Reason is its exit reason (a *process.PanicError for a panic).
type CrashError struct {
	Check  string
	Reason error
}

func (e *CrashError) Error() string {
	return fmt.Sprintf("health: check %q crashed: %s", e.Check, process.FormatReason(e.Reason))
}

// Is makes errors.Is(err, ErrCrashed) true.
func (e *CrashError) Is(target error) bool { return target == ErrCrashed }

// Unwrap returns the exit reason.
func (e *CrashError) Unwrap() error { return e.Reason }

// ServiceDownError is the result of a watched service that is not alive:
// its process died with Reason, or its name resolves to no process (then
// Reason is the resolution error and PID is zero).
type ServiceDownError struct {
	Service string
	PID     process.PID
	Reason  error
}

func (e *ServiceDownError) Error() string {
	if e.PID.IsZero() {
		return fmt.Sprintf("health: service %q not found: %v", e.Service, e.Reason)
	}
	return fmt.Sprintf("health: service %q (%v) down: %s", e.Service, e.PID, process.FormatReason(e.Reason))
}

// Is makes errors.Is(err, ErrServiceDown) true.
func (e *ServiceDownError) Is(target error) bool { return target == ErrServiceDown }

// Unwrap returns the exit or resolution reason.
func (e *ServiceDownError) Unwrap() error { return e.Reason }

// degradedError marks a check result as degraded; see [Degrade].
type degradedError struct{ err error }

func (e *degradedError) Error() string { return "degraded: " + e.err.Error() }
func (e *degradedError) Unwrap() error { return e.err }

// Degrade wraps err so that a check returning it is Degraded rather than
// Unhealthy: the component works, with reduced service (a replica down, a
// cache cold). Degrade(nil) is nil.
func Degrade(err error) error {
	if err == nil {
		return nil
	}
	return &degradedError{err: err}
}

func isDegraded(err error) bool {
	var d *degradedError
	return errors.As(err, &d)
}

func invalid(op, arg, reason string) error {
	return argerr.Also(ErrInvalidCheck, op, arg, reason)
}

// checkCall checks the arguments every call to a monitor takes.
func checkCall(op string, ctx context.Context, dest process.Dest) error {
	switch {
	case ctx == nil:
		return argerr.Nil(op, "ctx")
	case dest == nil:
		return argerr.Nil(op, "dest")
	}
	if pid, ok := dest.(process.PID); ok && pid.IsZero() {
		return argerr.New(op, "dest", "is the zero PID")
	}
	return nil
}

// checkNode refuses a nil or stopped node before anything is created.
func checkNode(op string, node *process.Node) error {
	if node == nil {
		return argerr.Nil(op, "node")
	}
	if node.Stopped() {
		return process.ErrNodeStopped
	}
	return nil
}
