package ratelimit

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). Errors
// matching [ErrInvalidLimit] or [ErrInvalidOption] match it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrInvalidLimit is matched by every *[LimitError]: a rate or burst
	// that no bucket can have.
	ErrInvalidLimit = errors.New("ratelimit: invalid limit")
	// ErrInvalidOption is matched for a nil option, a nil context or a
	// bad setting other than a limit; each such error is an
	// *[ArgumentError] as well.
	ErrInvalidOption = errors.New("ratelimit: invalid option")
	// ErrRejected is matched by every *[RejectedError].
	ErrRejected = errors.New("ratelimit: rejected")
	// ErrExceedsBurst is the cause of a rejection of a key whose burst is
	// zero: no event can ever pass.
	ErrExceedsBurst = errors.New("ratelimit: event exceeds the key's burst")
)

// LimitError reports a [Limit] that is invalid: a negative or NaN rate, a
// negative burst, or a zero burst with a finite positive rate (no event
// could ever pass; use Rate 0 and Burst 0 to block a key on purpose). Key
// is empty for the default limit. It matches [ErrInvalidLimit].
type LimitError struct {
	Key    string
	Limit  Limit
	Reason string
}

func (e *LimitError) Error() string {
	what := "default limit"
	if e.Key != "" {
		what = fmt.Sprintf("limit of key %q", e.Key)
	}
	return fmt.Sprintf("ratelimit: invalid %s %v: %s", what, e.Limit, e.Reason)
}

// Is matches ErrInvalidLimit and ErrInvalidArgument: the limit is the
// caller's bad value.
func (e *LimitError) Is(target error) bool {
	return target == ErrInvalidLimit || target == ErrInvalidArgument
}

// RejectedError is returned by [Limiter.Wait] when it gives up: Cause is
// [ErrExceedsBurst] (the key can never pass), context.DeadlineExceeded
// when the wait (Delay) would outlast the context's deadline (Wait then
// returns at once, as x/time/rate does), or the context's error when it
// ended during the wait. It matches [ErrRejected] and, through Unwrap,
// its cause.
type RejectedError struct {
	Key   string
	Delay time.Duration
	Cause error
}

func (e *RejectedError) Error() string {
	if e.Delay > 0 {
		return fmt.Sprintf("ratelimit: key %q rejected (wait %v): %v", e.Key, e.Delay, e.Cause)
	}
	return fmt.Sprintf("ratelimit: key %q rejected: %v", e.Key, e.Cause)
}

// Is matches ErrRejected.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }

// Unwrap returns the cause.
func (e *RejectedError) Unwrap() error { return e.Cause }

// AlreadyStartedError is returned when the limiter's janitor is started
// while one is running.
type AlreadyStartedError struct {
	PID process.PID
}

func (e *AlreadyStartedError) Error() string {
	return fmt.Sprintf("ratelimit: janitor already started as %v", e.PID)
}

func invalidOption(op, arg, reason string) error {
	return argerr.Also(ErrInvalidOption, op, arg, reason)
}
