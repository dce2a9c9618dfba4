package genserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

var (
	// Ignore is returned by Init to make Start return [ErrIgnored] and the
	// process exit normally (OTP's init returning ignore).
	//
	// It is not named ErrIgnore: it is a result Init chooses, like OTP's
	// ignore atom, not an error condition.
	//lint:ignore ST1012 the name mirrors OTP's ignore; see above
	Ignore = errors.New("genserver: ignore")
	// ErrIgnored is returned by Start when Init returned [Ignore].
	// It is process.ErrIgnored, which supervisors understand.
	ErrIgnored = process.ErrIgnored
	// ErrTimeout is matched by a call or start that ran out of time.
	ErrTimeout = errors.New("genserver: timeout")
	// ErrCallingSelf is returned by a call a server makes to itself, which
	// could only time out (OTP exits with calling_self). It is detected
	// when the call's context derives from the caller's process context
	// ([process.Proc.Context], which Self embeds).
	ErrCallingSelf = errors.New("genserver: calling self")
	// ErrNotImplemented is the exit reason of a server sent a call, cast or
	// continue it has no callback for.
	ErrNotImplemented = errors.New("genserver: callback not implemented")
	// ErrInvalidOption is [ErrInvalidArgument] under its older name: it
	// is matched by the error of every call given bad input (a nil node,
	// server, parent, context, destination or option, the zero PID, an
	// empty name, a duration out of range).
	ErrInvalidOption = argerr.ErrInvalidArgument
)

// ErrInvalidArgument is matched by every error about bad input to this
// package; it is the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type
// in every Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// CallError is returned by a call that did not get a reply: the server was
// not running, died before replying, or did not reply in time. Reason is
// the server's exit reason (process.NoProc when there was no server) or
// ErrTimeout; errors.Is and errors.As see through to it.
type CallError struct {
	Dest    process.Dest
	Reason  error
	Timeout time.Duration
}

func (e *CallError) Error() string {
	if errors.Is(e.Reason, ErrTimeout) {
		return fmt.Sprintf("genserver: call to %v timed out after %v", e.Dest, e.Timeout)
	}
	return fmt.Sprintf("genserver: call to %v failed: %s", e.Dest, process.FormatReason(e.Reason))
}

// Unwrap returns the reason.
func (e *CallError) Unwrap() error { return e.Reason }

// BadReplyError is returned by a typed call whose reply is not of the
// type the caller asked for.
type BadReplyError struct {
	Want  string
	Reply any
}

func (e *BadReplyError) Error() string {
	return fmt.Sprintf("genserver: reply %T (%v) is not a %s", e.Reply, e.Reply, e.Want)
}

// AlreadyStartedError is returned by Start when the name is taken; PID is
// the process holding it (OTP's {error, {already_started, Pid}}).
type AlreadyStartedError struct {
	Name string
	PID  process.PID
}

func (e *AlreadyStartedError) Error() string {
	return fmt.Sprintf("genserver: %q already started as %v", e.Name, e.PID)
}

// InitError is returned by Start when Init failed; Reason is what Init
// returned or the panic it raised.
type InitError struct {
	Reason error
}

func (e *InitError) Error() string {
	return "genserver: init failed: " + process.FormatReason(e.Reason)
}

// Unwrap returns the reason.
func (e *InitError) Unwrap() error { return e.Reason }

// StopError is returned by Stop when the server exited with another reason
// than the one asked for.
type StopError struct {
	Want, Got error
}

func (e *StopError) Error() string {
	return fmt.Sprintf("genserver: stopped with %s, not %s", process.FormatReason(e.Got), process.FormatReason(e.Want))
}

// Unwrap returns the actual exit reason.
func (e *StopError) Unwrap() error { return e.Got }

// Is makes a timed-out call match context.DeadlineExceeded too.
func (e *CallError) Is(target error) bool {
	return target == context.DeadlineExceeded && errors.Is(e.Reason, ErrTimeout)
}
