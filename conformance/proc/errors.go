package proc

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). A malformed
// or invalid scenario (an error of [Decode], [Load] or
// [Scenario.Validate] about the scenario's text) matches it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// scenarioError is a scenario that is not well-formed (bad JSON, an
// unknown key, a value of the wrong type, trailing data) or violates
// FORMAT.md. It matches [ErrInvalidArgument] and unwraps to its cause.
type scenarioError struct{ err error }

// invalidf returns a *scenarioError with a message made as fmt.Errorf
// makes it (so %w wraps).
func invalidf(format string, args ...any) error {
	return &scenarioError{fmt.Errorf(format, args...)}
}

func (e *scenarioError) Error() string { return e.err.Error() }

func (e *scenarioError) Unwrap() error { return e.err }

// Is matches [ErrInvalidArgument]: a scenario is input.
func (e *scenarioError) Is(target error) bool { return target == ErrInvalidArgument }
