package send

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). Every error
// matching [ErrInvalidOption] matches it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrNoProc is matched by a send whose destination had no live
	// process (a dead PID, an unregistered name). It is process.NoProc.
	ErrNoProc = process.NoProc
	// ErrTimeout is matched by a send that was not confirmed in time.
	ErrTimeout = errors.New("send: timeout")
	// ErrCircuitOpen is matched by a send refused by the destination's
	// circuit breaker. It is breaker.ErrOpen.
	ErrCircuitOpen = breaker.ErrOpen
	// ErrCrashed is matched by a Handled send whose receiver died (for
	// example crashed while handling the message) before confirming;
	// errors.As finds the exit reason itself (a *process.PanicError, ...).
	ErrCrashed = errors.New("send: receiver died before confirming")
	// ErrMailboxFull is matched by a send refused by a full bounded
	// mailbox. It is process.ErrMailboxFull.
	ErrMailboxFull = process.ErrMailboxFull
	// ErrInvalidOption is matched by the error of a send, broadcast or
	// New given bad input: a nil context, destination or message, a zero
	// PID, a bad option, OnError DeadLetter without a sink. Each such
	// error matches [ErrInvalidArgument] too.
	ErrInvalidOption = errors.New("send: invalid option")
	// ErrAborted is matched by an AllOrNothing broadcast that sent
	// nothing because a recipient was not available.
	ErrAborted = errors.New("send: broadcast aborted before sending")
	// ErrNotSent is the Err of a recipient an aborted broadcast skipped.
	ErrNotSent = errors.New("send: not sent")
	// ErrNoneDelivered is matched by an AtLeastOne broadcast that reached
	// no recipient.
	ErrNoneDelivered = errors.New("send: no recipient reached")
	// ErrIncomplete is matched by an AllOrNothing broadcast whose
	// recipients were all available but some deliveries then failed.
	ErrIncomplete = errors.New("send: broadcast incomplete")
	// ErrRateLimited is matched by a send whose destination's rate limit
	// ([WithRateLimit]) did not let it through in time.
	ErrRateLimited = errors.New("send: rate limited")
)

// Outcome is the result of one delivery attempt, and of a send.
type Outcome int

const (
	// Delivered: accepted by a live mailbox (Enqueued) or handled
	// (Handled).
	Delivered Outcome = iota
	// NoProc: no live process behind the destination ([ErrNoProc]).
	NoProc
	// TimedOut: not confirmed in time ([ErrTimeout]).
	TimedOut
	// CircuitOpen: refused by the destination's breaker ([ErrCircuitOpen]).
	CircuitOpen
	// Crashed: the receiver died before confirming ([ErrCrashed]).
	Crashed
	// MailboxFull: refused by a full bounded mailbox ([ErrMailboxFull]).
	MailboxFull
	// Canceled: the context was cancelled.
	Canceled
	// Rejected: any other failure (node stopped, wrong node, a server
	// with no HandleInfo, a non-unique via-name); not retried.
	Rejected
	// RateLimited: the destination's rate limit ([WithRateLimit]) would
	// not let the attempt through before its deadline ([ErrRateLimited]);
	// not retried, since the wait already used the time there was.
	RateLimited
)

var outcomeNames = [...]string{"delivered", "noproc", "timeout", "circuit_open", "crashed", "mailbox_full", "canceled", "rejected", "rate_limited"}

// String returns the outcome's snake_case name, as telemetry reports it.
func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Retryable reports whether a failed attempt with this outcome is tried
// again (when retries are left): no process (a supervisor may be
// restarting it), timeout, crash and full mailbox are; the rest are not.
func (o Outcome) Retryable() bool {
	switch o {
	case NoProc, TimedOut, Crashed, MailboxFull:
		return true
	}
	return false
}

func (o Outcome) sentinel() error {
	switch o {
	case NoProc:
		return ErrNoProc
	case TimedOut:
		return ErrTimeout
	case CircuitOpen:
		return ErrCircuitOpen
	case Crashed:
		return ErrCrashed
	case MailboxFull:
		return ErrMailboxFull
	case Canceled:
		return context.Canceled
	case RateLimited:
		return ErrRateLimited
	}
	return nil
}

// Error is a send that failed for good. It matches (errors.Is) the
// sentinel of its Outcome ([ErrNoProc], [ErrTimeout], [ErrCircuitOpen],
// [ErrCrashed], [ErrMailboxFull], context.Canceled), and unwraps to
// Reason, the last attempt's underlying error: for Crashed, the
// receiver's exit reason.
type Error struct {
	Dest     process.Dest
	Outcome  Outcome
	Reason   error
	Attempts int
}

func (e *Error) Error() string {
	return fmt.Sprintf("send: to %v: %v after %d attempt(s): %s",
		e.Dest, e.Outcome, e.Attempts, process.FormatReason(e.Reason))
}

// Unwrap returns the last attempt's reason.
func (e *Error) Unwrap() error { return e.Reason }

// Is matches the sentinel of the outcome.
func (e *Error) Is(target error) bool {
	s := e.Outcome.sentinel()
	return s != nil && target == s
}

// Timeout reports whether the send timed out (as net.Error does).
func (e *Error) Timeout() bool { return e.Outcome == TimedOut }

// DeadLetterError is returned with the send's *[Error] (errors.Join) when
// OnError DeadLetter could not store the letter: Err is the sink's error.
type DeadLetterError struct{ Err error }

func (e *DeadLetterError) Error() string {
	if e.Err == nil {
		return "send: dead letter not stored"
	}
	return "send: dead letter not stored: " + e.Err.Error()
}

// Unwrap returns the sink's error.
func (e *DeadLetterError) Unwrap() error { return e.Err }

// optionError is an *ArgumentError that also matches ErrInvalidOption.
type optionError struct{ arg *argerr.Error }

func (e *optionError) Error() string        { return e.arg.Error() }
func (e *optionError) Is(target error) bool { return target == ErrInvalidOption }
func (e *optionError) Unwrap() error        { return e.arg }

func invalidOption(op, arg, reason string) error {
	return &optionError{arg: &argerr.Error{Op: op, Arg: arg, Reason: reason}}
}
