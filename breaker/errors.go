package breaker

import (
	"errors"
	"fmt"
)

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

type settingsError struct{ field, reason string }

func (e *settingsError) Error() string {
	return fmt.Sprintf("breaker: invalid settings: %s %s", e.field, e.reason)
}

func (e *settingsError) Is(target error) bool { return target == ErrInvalidSettings }
