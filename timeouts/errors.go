package timeouts

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). A *[FactorError] and a
// *[SpecError] match it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrInvalidFactor is matched by every *[FactorError]: a timeout
	// factor (from [EnvFactor] or [WithFactor]) that is not a finite
	// number greater than zero.
	ErrInvalidFactor = errors.New("timeouts: invalid timeout factor")
	// ErrInvalidSpec is matched by every *[SpecError]: a [Spec] or an
	// override with a bad key, pattern or duration.
	ErrInvalidSpec = errors.New("timeouts: invalid configuration")
)

// FactorError reports a timeout factor that is not a finite number
// greater than zero. Source is where it came from ([EnvFactor] or
// "WithFactor") and Value is the text given.
type FactorError struct {
	Source string
	Value  string
}

func (e *FactorError) Error() string {
	return fmt.Sprintf("timeouts: invalid timeout factor %q from %s: want a finite number > 0", e.Value, e.Source)
}

// Is makes a *FactorError match [ErrInvalidFactor] and [ErrInvalidArgument]:
// the factor is the caller's (or the environment's) bad value.
func (e *FactorError) Is(target error) bool {
	return target == ErrInvalidFactor || target == ErrInvalidArgument
}

// SpecError reports a bad entry of a [Spec] or a bad override: Field names
// the part of the spec (Default, Services, Operations, Patterns, Override),
// Key the entry.
type SpecError struct {
	Field  string
	Key    string
	Reason string
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("timeouts: invalid %s entry %q: %s", e.Field, e.Key, e.Reason)
}

// Is makes a *SpecError match [ErrInvalidSpec] and [ErrInvalidArgument]:
// the spec is the caller's bad value.
func (e *SpecError) Is(target error) bool {
	return target == ErrInvalidSpec || target == ErrInvalidArgument
}
