package conformance

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). A malformed
// scenario (a decoding error of [Decode] or [Load], a *[ValidationError])
// matches it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// ValidationError reports a scenario that is well-formed JSON but
// violates FORMAT.md. It matches [ErrInvalidArgument].
type ValidationError struct {
	Where  string // a path, or "step N"
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("conformance: invalid scenario: %s: %s", e.Where, e.Reason)
}

// Is matches [ErrInvalidArgument]: a scenario is input.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidArgument }

// malformedError is a scenario that is not well-formed: bad JSON, an
// unknown key, a value of the wrong type. It matches [ErrInvalidArgument]
// and unwraps to the decoder's error.
type malformedError struct{ err error }

func (e *malformedError) Error() string { return "conformance: " + e.err.Error() }

func (e *malformedError) Unwrap() error { return e.err }

func (e *malformedError) Is(target error) bool { return target == ErrInvalidArgument }
