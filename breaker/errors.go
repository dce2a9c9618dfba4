package breaker

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). Every error
// matching [ErrInvalidSettings] matches it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrOpen is matched by every *[OpenError]: the breaker refused a
	// request because it is open, or half-open with all its trial
	// requests taken.
	ErrOpen = errors.New("breaker: circuit open")
	// ErrInvalidSettings is matched by every error [NewSet] and [New]
	// return for bad [Settings] or options.
	ErrInvalidSettings = errors.New("breaker: invalid settings")
)

// OpenError is returned by [Breaker.Allow] when a request may not
// proceed. State is [Open] or [HalfOpen] (trial requests all taken).
type OpenError struct {
	Key   string
	State State
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("breaker: circuit %q is %v", e.Key, e.State)
}

// Is makes an *OpenError match [ErrOpen].
func (e *OpenError) Is(target error) bool { return target == ErrOpen }

func invalidSettings(op, arg, reason string) error {
	return argerr.Also(ErrInvalidSettings, op, arg, reason)
}
