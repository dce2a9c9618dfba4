package deadletter

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrNotFound is returned when no entry has the given id.
	ErrNotFound = errors.New("deadletter: entry not found")
	// ErrNotReplayable matches the retry failure of an entry whose message
	// could not be encoded when it was stored: only its Go type and
	// printed form were kept. The entry stays in the queue.
	ErrNotReplayable = errors.New("deadletter: message not replayable")
	// ErrUndeliverable matches the retry failure of an entry whose
	// destination cannot be resolved to a process.Dest any more (a PID
	// from an earlier run, a registry name without a resolver). The entry
	// stays in the queue.
	ErrUndeliverable = errors.New("deadletter: destination cannot be resolved")
	// ErrUnregistered is returned by a codec for a message whose type was
	// not registered.
	ErrUnregistered = errors.New("deadletter: message type not registered")
	// ErrClosed is returned by the queue's and stores' methods after Close.
	ErrClosed = errors.New("deadletter: closed")
	// ErrInvalidOption is matched by the errors of bad options or
	// arguments (a nil node or store, a negative limit or interval), as
	// [ErrInvalidArgument] is: every such error matches both, and is an
	// *[ArgumentError].
	ErrInvalidOption = errors.New("deadletter: invalid option")
	// ErrRetrierRunning is returned when a retrier is started while one
	// of the same queue is alive.
	ErrRetrierRunning = errors.New("deadletter: retrier already running")
	// ErrCorrupt is matched by a *[CorruptError]: stored records that
	// cannot be decoded as entries.
	ErrCorrupt = errors.New("deadletter: corrupt record")
)

// CorruptRecord is a stored record that cannot be decoded as an [Entry]:
// its key in the store and the decoding error.
type CorruptRecord struct {
	Key string
	Err error
}

// CorruptError lists records a store could not decode; it matches
// [ErrCorrupt]. [Store.Scan] returns it after calling fn for every
// readable entry, so one bad record does not hide the others: the
// queue's reads report it ([EventCorrupt], [Stats].Corrupt) and go on,
// and the package-level [List], [Purge] and [Rearm] return it beside
// their results. A corrupt record stays in the store for inspection.
type CorruptError struct {
	Records []CorruptRecord
}

func (e *CorruptError) Error() string {
	if len(e.Records) == 1 {
		return fmt.Sprintf("deadletter: corrupt record %s: %v", e.Records[0].Key, e.Records[0].Err)
	}
	return fmt.Sprintf("deadletter: %d corrupt records (first %s: %v)", len(e.Records), e.Records[0].Key, e.Records[0].Err)
}

// Is reports whether target is [ErrCorrupt].
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// NotReplayableError is the retry failure of a non-replayable entry; it
// matches [ErrNotReplayable].
type NotReplayableError struct {
	ID string
	// Type is the message's Go type, as recorded.
	Type string
	// Cause is why the message could not be encoded.
	Cause string
}

func (e *NotReplayableError) Error() string {
	return fmt.Sprintf("deadletter: entry %s: message of type %s not replayable: %s", e.ID, e.Type, e.Cause)
}

// Is reports whether target is [ErrNotReplayable].
func (e *NotReplayableError) Is(target error) bool { return target == ErrNotReplayable }

// UndeliverableError is the retry failure of an entry whose destination
// cannot be resolved; it matches [ErrUndeliverable] and unwraps to the
// resolver's error, if any.
type UndeliverableError struct {
	ID   string
	Dest Destination
	Err  error
}

func (e *UndeliverableError) Error() string {
	msg := fmt.Sprintf("deadletter: entry %s: destination %s (%s) cannot be resolved", e.ID, e.Dest.Printed, e.Dest.Kind)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is reports whether target is [ErrUndeliverable].
func (e *UndeliverableError) Is(target error) bool { return target == ErrUndeliverable }

// Unwrap returns the resolver's error.
func (e *UndeliverableError) Unwrap() error { return e.Err }

// RetryError is one entry's failed re-delivery within [Queue.Retry]: Err is
// the delivery error, a *[NotReplayableError] or an *[UndeliverableError].
type RetryError struct {
	ID  string
	Err error
}

func (e *RetryError) Error() string { return fmt.Sprintf("deadletter: retry %s: %v", e.ID, e.Err) }

// Unwrap returns the cause.
func (e *RetryError) Unwrap() error { return e.Err }

// badArg returns the error for a bad argument arg of op ("Queue.Add").
func badArg(op, arg, reason string) error {
	return argerr.Also(ErrInvalidOption, "deadletter: "+op, arg, reason)
}

// invalid is badArg with a formatted reason.
func invalid(op, arg, format string, args ...any) error {
	return badArg(op, arg, fmt.Sprintf(format, args...))
}

// checkCall returns the error of a call op on a nil receiver (when nilRecv)
// or with a nil ctx, or nil.
func checkCall(op string, nilRecv bool, ctx context.Context) error {
	switch {
	case nilRecv:
		return badArg(op, "receiver", "is nil")
	case ctx == nil:
		return badArg(op, "ctx", "is nil")
	}
	return nil
}
