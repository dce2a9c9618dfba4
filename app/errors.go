package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). [ErrInvalidSpec],
// [ErrInvalidOption], *[SpecError] and *[OptionError] match it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// invalidSentinel is a sentinel about bad input that also matches
// [ErrInvalidArgument].
type invalidSentinel struct{ msg string }

func (e *invalidSentinel) Error() string { return e.msg }

// Is matches [ErrInvalidArgument].
func (e *invalidSentinel) Is(target error) bool { return target == ErrInvalidArgument }

// Sentinels. Compare with [errors.Is].
var (
	// ErrStopped is returned by Stop on every call after the first, and by
	// Start and Run on an application that was stopped (net/http's
	// ErrServerClosed).
	ErrStopped = errors.New("app: application stopped")
	// ErrAlreadyStarted is returned by a second Start.
	ErrAlreadyStarted = errors.New("app: application already started")
	// ErrShutdownTimeout is matched by a *[StopError]: some parts were
	// still running when the shutdown's time ran out.
	ErrShutdownTimeout = errors.New("app: shutdown timed out")
	// ErrNoProcess is the start error of a part whose start function
	// returned neither a live process nor an error.
	ErrNoProcess = errors.New("app: start function returned no process")
	// ErrInvalidSpec is matched by every *[SpecError]. It matches
	// [ErrInvalidArgument].
	ErrInvalidSpec error = &invalidSentinel{"app: invalid spec"}
	// ErrInvalidOption is matched by every *[OptionError]. It matches
	// [ErrInvalidArgument].
	ErrInvalidOption error = &invalidSentinel{"app: invalid option"}
)

// SpecError reports an invalid application spec; New returns it and
// nothing is created.
type SpecError struct {
	// Part is the offending part's name ("" for the spec itself).
	Part   string
	Field  string
	Reason string
}

func (e *SpecError) Error() string {
	if e.Part != "" {
		return fmt.Sprintf("app: invalid part %q: %s: %s", e.Part, e.Field, e.Reason)
	}
	return fmt.Sprintf("app: invalid spec: %s: %s", e.Field, e.Reason)
}

// Is matches [ErrInvalidSpec] and [ErrInvalidArgument].
func (e *SpecError) Is(target error) bool {
	return target == ErrInvalidSpec || target == ErrInvalidArgument
}

// OptionError reports an option that is invalid; New returns it.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("app: invalid option %s: %s", e.Option, e.Reason)
}

// Is matches [ErrInvalidOption] and [ErrInvalidArgument].
func (e *OptionError) Is(target error) bool {
	return target == ErrInvalidOption || target == ErrInvalidArgument
}

// StartError is returned by Start (and Run) when a part failed to start
// (OTP's {error, {Reason, {App, start, ...}}}). The parts started before
// it have been stopped, in reverse order, by the time it is returned.
type StartError struct {
	App string
	// Part is the part that failed.
	Part string
	// Err is why: the start function's error (for a tree, the supervisor's
	// boot error; see supervisor.BootError), [ErrNoProcess], or the start
	// context's error when it ended before Part could start.
	Err error
	// Rollback is the error of stopping the parts already started, if any
	// did not stop in time (a *[StopError]); nil otherwise.
	Rollback error
}

func (e *StartError) Error() string {
	s := fmt.Sprintf("app: %s: failed to start %s: %v", e.App, e.Part, e.Err)
	if e.Rollback != nil {
		s += "; rollback: " + e.Rollback.Error()
	}
	return s
}

// Unwrap returns the start error and the rollback error.
func (e *StartError) Unwrap() []error {
	if e.Rollback == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Rollback}
}

// ExitError is returned by Run when a part's root process exited on its
// own (for a tree: its supervisor reached its restart intensity and gave
// up, or its auto_shutdown fired). Like a permanent OTP application,
// the whole application then stops, whatever the reason.
type ExitError struct {
	App  string
	Part string
	PID  process.PID
	// Reason is the root's exit reason (process.Shutdown for a supervisor
	// that gave up, as in OTP).
	Reason error
}

func (e *ExitError) Error() string {
	if e.PID.IsZero() {
		return fmt.Sprintf("app: %s: %s exited: %s", e.App, e.Part, process.FormatReason(e.Reason))
	}
	return fmt.Sprintf("app: %s: %s %v exited: %s", e.App, e.Part, e.PID, process.FormatReason(e.Reason))
}

// Unwrap returns the exit reason.
func (e *ExitError) Unwrap() error { return e.Reason }

// StopError is returned by Stop (and Run) when some parts had not stopped
// when the shutdown's time ran out. It matches [ErrShutdownTimeout]. The
// parts it lists may still be running; [App.Kill] kills them.
type StopError struct {
	App string
	// Parts lists, in stop order, the parts still running when Stop gave
	// up: the one whose shutdown timed out and those it never reached.
	Parts []string
	// Err is the context's error: context.DeadlineExceeded when the time
	// ran out, context.Canceled when the caller gave up.
	Err error
}

func (e *StopError) Error() string {
	return fmt.Sprintf("app: %s: shutdown incomplete (%v): still running: %s",
		e.App, e.Err, strings.Join(e.Parts, ", "))
}

// Unwrap returns the context's error.
func (e *StopError) Unwrap() error { return e.Err }

// Is matches [ErrShutdownTimeout].
func (e *StopError) Is(target error) bool { return target == ErrShutdownTimeout }

// Exit codes returned by [ExitCode].
const (
	// ExitOK: the application stopped because it was asked to.
	ExitOK = 0
	// ExitFailure: a root tree died (or another error).
	ExitFailure = 1
	// ExitStopTimeout: the shutdown timed out; parts had to be killed.
	ExitStopTimeout = 2
	// ExitStartFailure: a part failed to start.
	ExitStartFailure = 3
)

// ExitCode maps the error of [App.Run] (or Start, Stop) to a process exit
// code for main: 0 for nil, 3 ([ExitStartFailure]) for a *[StartError], 1
// ([ExitFailure]) for an *[ExitError] (a root tree died) or any other
// error, and 2 ([ExitStopTimeout]) for a *[StopError] (the shutdown timed
// out). When err holds several of them (errors.Join), the first in that
// order wins: a start failure, then a root failure, then a timeout.
//
//	os.Exit(app.ExitCode(a.Run(ctx)))
func ExitCode(err error) int {
	var (
		se *StartError
		ee *ExitError
		te *StopError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &se):
		return ExitStartFailure
	case errors.As(err, &ee):
		return ExitFailure
	case errors.As(err, &te):
		return ExitStopTimeout
	}
	return ExitFailure
}
