package supervisor

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this
// package; it is the same value in every Orchard package (docs/ERRORS.md).
// Every *SpecError matches it too: a spec is a value the caller wrote.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type
// in every Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// Sentinels map one to one to OTP's supervisor results.
var (
	// ErrNotFound ↔ {error, not_found}.
	ErrNotFound = errors.New("supervisor: child not found")
	// ErrRunning ↔ {error, running}.
	ErrRunning = errors.New("supervisor: child is running")
	// ErrRestarting ↔ {error, restarting}.
	ErrRestarting = errors.New("supervisor: child is restarting")
	// ErrAlreadyPresent ↔ {error, already_present}: a stopped child with
	// that id exists.
	ErrAlreadyPresent = errors.New("supervisor: child already present")
	// ErrSimpleOneForOne ↔ {error, simple_one_for_one}: the operation is
	// not available on a dynamic supervisor with a template.
	ErrSimpleOneForOne = errors.New("supervisor: not supported by simple_one_for_one")
	// ErrMaxChildren ↔ {error, max_children}.
	ErrMaxChildren = errors.New("supervisor: max children reached")
	// ErrInvalidSpec is matched by every *SpecError.
	ErrInvalidSpec = errors.New("supervisor: invalid spec")
	// ErrBadStartReturn is the reason of a child whose start function
	// returned the zero PID and a nil error, which names no process: the
	// child failed to start, as in OTP, where a start function's result
	// that is not {ok, Pid}, ignore or {error, E} is the start's error.
	// A child that chooses not to run returns process.ErrIgnored instead.
	ErrBadStartReturn = errors.New("supervisor: start function returned the zero PID and no error")
)

// SpecError reports an invalid supervisor or child spec (a value the
// caller wrote), so it matches both [ErrInvalidSpec] and
// [ErrInvalidArgument]. Nothing was started.
type SpecError struct {
	Child  string
	Field  string
	Reason string
}

func (e *SpecError) Error() string {
	if e.Child != "" {
		return fmt.Sprintf("supervisor: invalid child spec %q: %s: %s", e.Child, e.Field, e.Reason)
	}
	return fmt.Sprintf("supervisor: invalid spec: %s: %s", e.Field, e.Reason)
}

// Is matches ErrInvalidSpec and ErrInvalidArgument.
func (e *SpecError) Is(target error) bool {
	return target == ErrInvalidSpec || target == ErrInvalidArgument
}

// AlreadyStartedError ↔ {error, {already_started, Pid}}: a running child
// with that id exists.
type AlreadyStartedError struct {
	ID  string
	PID process.PID
}

func (e *AlreadyStartedError) Error() string {
	return fmt.Sprintf("supervisor: child %q already started as %v", e.ID, e.PID)
}

// StartChildError ↔ {failed_to_start_child, Id, Reason}: a child's start
// function failed. A supervisor whose boot fails exits with
// process.ShutdownWith(*StartChildError) ({shutdown, {failed_to_start_child,
// Id, Reason}}), so a nested failure nests.
type StartChildError struct {
	ID     string
	Reason error
}

func (e *StartChildError) Error() string {
	return fmt.Sprintf("supervisor: failed to start child %q: %v", e.ID, e.Reason)
}

// Unwrap returns the start function's error.
func (e *StartChildError) Unwrap() error { return e.Reason }

// BootError returns the *StartChildError inside a supervisor start error
// ({shutdown, {failed_to_start_child, ...}}), if that is what err is.
func BootError(err error) (*StartChildError, bool) {
	var sh *process.ShutdownError
	if !errors.As(err, &sh) {
		return nil, false
	}
	sc, ok := sh.Value.(*StartChildError)
	return sc, ok
}

// errReachedMaxIntensity is the reason in the report a supervisor logs
// when it gives up (OTP's reached_max_restart_intensity).
var errReachedMaxIntensity = errors.New("reached_max_restart_intensity")
