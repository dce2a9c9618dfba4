package telemetry

import (
	"errors"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// Errors returned by [Registry.Attach] and [Registry.Detach].
var (
	// ErrAlreadyAttached: a handler with this id is attached.
	ErrAlreadyAttached = errors.New("telemetry: handler id already attached")
	// ErrNotAttached: no handler with this id is attached.
	ErrNotAttached = errors.New("telemetry: handler id not attached")
	// ErrInvalidHandler: an empty id, no event names, an empty event name
	// or a nil function. Every such error matches [ErrInvalidArgument]
	// too, and errors.As finds its *[ArgumentError].
	ErrInvalidHandler = errors.New("telemetry: invalid handler")
)

func invalidHandler(op, arg, reason string) error {
	return argerr.Also(ErrInvalidHandler, op, arg, reason)
}
