package ratelimit

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

var (
	// ErrInvalidLimit is matched by every *[LimitError]: a rate or burst
	// that no bucket can have.
	ErrInvalidLimit = errors.New("ratelimit: invalid limit")
	// ErrInvalidOption is returned (wrapped) for a nil option, a nil
	// context or a bad setting other than a limit.
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

// Is matches ErrInvalidLimit.
func (e *LimitError) Is(target error) bool { return target == ErrInvalidLimit }

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

func optionErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}
