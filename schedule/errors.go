package schedule

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). Errors matching
// [ErrInvalidOption], *[CronError], *[CodecError] and *[NotDurableError]
// match it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrInvalidOption is matched by every error returned for bad input: a
	// nil node, parent, destination or option, a duration that is not
	// positive, a malformed schedule id, a durable schedule with an owner.
	ErrInvalidOption = errors.New("schedule: invalid option")
	// ErrNotFound is matched by the *[NotFoundError] Cancel returns for an
	// id that names no schedule (never added, cancelled, an After that
	// has fired, or a schedule cancelled because its owner died).
	ErrNotFound = errors.New("schedule: unknown schedule")
	// ErrDuplicateID is returned (wrapped, with the id) when a schedule
	// is added with [WithID] under an id the scheduler already holds,
	// for example a durable schedule reloaded from the store.
	ErrDuplicateID = errors.New("schedule: schedule id already in use")
	// ErrNoStore is returned when a [Durable] schedule is added to a
	// scheduler started without [WithStore].
	ErrNoStore = errors.New("schedule: durable schedule needs a store (WithStore)")
	// ErrNeverFires is the Err of a *[CronError] whose expression parses
	// but matches no time (for example "0 0 30 2 *", February 30th).
	ErrNeverFires = errors.New("expression never fires")
	// ErrUnregisteredType is matched by the *[CodecError] a [Codec]
	// returns for a message type, or a type name, it does not know.
	ErrUnregisteredType = errors.New("schedule: message type not registered")
	// ErrNotDurable is matched by the *[NotDurableError] returned for a
	// durable schedule to a destination that cannot be stored.
	ErrNotDurable = errors.New("schedule: destination cannot be stored")
)

// CronError is returned for a cron expression that does not parse, or
// that matches no time (Err is then [ErrNeverFires]). Err is the parser's
// error, from github.com/robfig/cron/v3.
type CronError struct {
	// Expr is the expression as given.
	Expr string
	// Err says what is wrong with it.
	Err error
}

func (e *CronError) Error() string {
	return fmt.Sprintf("schedule: bad cron expression %q: %v", e.Expr, e.Err)
}

// Unwrap returns the parser's error.
func (e *CronError) Unwrap() error { return e.Err }

// Is makes a *CronError match [ErrInvalidArgument]: the expression is the
// caller's malformed text.
func (e *CronError) Is(target error) bool { return target == ErrInvalidArgument }

// NotFoundError is returned by [Scheduler.Cancel] for an unknown id. It
// matches [ErrNotFound].
type NotFoundError struct {
	ID ID
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("schedule: unknown schedule %q", string(e.ID))
}

// Is matches ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// NotDurableError is returned when a [Durable] schedule names a
// destination that has no durable form: a PID (process identifiers do
// not survive a restart) or a via-name not built with [RegistryName].
// It matches [ErrNotDurable].
type NotDurableError struct {
	Dest process.Dest
}

func (e *NotDurableError) Error() string {
	if _, ok := e.Dest.(process.PID); ok {
		return fmt.Sprintf("schedule: destination %v is a PID; a durable schedule needs a name", e.Dest)
	}
	return fmt.Sprintf("schedule: destination %v (%T) has no durable form", e.Dest, e.Dest)
}

// Is matches ErrNotDurable.
func (e *NotDurableError) Is(target error) bool {
	return target == ErrNotDurable || target == ErrInvalidArgument
}

// CodecError is returned by a [Codec] that cannot encode or decode a
// message. Type is the Go type (encoding) or the stored type name
// (decoding); Err is [ErrUnregisteredType] or the encoding/json error.
type CodecError struct {
	Type string
	Err  error
}

func (e *CodecError) Error() string {
	return fmt.Sprintf("schedule: message type %s: %v", e.Type, e.Err)
}

// Unwrap returns the cause.
func (e *CodecError) Unwrap() error { return e.Err }

// Is makes a *CodecError match [ErrInvalidArgument]: the message (or its
// stored JSON, or its type name) is a value the codec cannot take.
func (e *CodecError) Is(target error) bool { return target == ErrInvalidArgument }

// optionError is an *ArgumentError that also matches ErrInvalidOption,
// and process.ErrInvalidPID when it is about a destination that names no
// process.
type optionError struct {
	arg *argerr.Error
	pid bool
}

func (e *optionError) Error() string { return e.arg.Error() }
func (e *optionError) Is(target error) bool {
	return target == ErrInvalidOption || e.pid && target == process.ErrInvalidPID
}
func (e *optionError) Unwrap() error { return e.arg }

func invalidPID(op, arg, reason string) error {
	return &optionError{arg: &argerr.Error{Op: op, Arg: arg, Reason: reason}, pid: true}
}

func invalidOption(op, arg, reason string) error {
	return &optionError{arg: &argerr.Error{Op: op, Arg: arg, Reason: reason}}
}

// BadRecordsError is returned by a [Store]'s List, together with the
// records it could read, when some stored records could not be decoded.
// The scheduler reloads the good records and reports each bad one as
// [EventStoreFailed] (op "reload"), so one corrupt record never stops a
// scheduler from starting; the bad records stay in the store.
type BadRecordsError struct {
	// Records names each record that could not be decoded, by its key.
	Records []BadRecord
}

// BadRecord is one undecodable stored record: its key and the decoder's
// error.
type BadRecord struct {
	ID  ID
	Err error
}

func (e *BadRecordsError) Error() string {
	if len(e.Records) == 0 {
		return "schedule: stored records undecodable"
	}
	if len(e.Records) == 1 {
		return fmt.Sprintf("schedule: stored record %q undecodable: %v", string(e.Records[0].ID), e.Records[0].Err)
	}
	return fmt.Sprintf("schedule: %d stored records undecodable (first %q: %v)",
		len(e.Records), string(e.Records[0].ID), e.Records[0].Err)
}
