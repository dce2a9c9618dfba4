package observer

import (
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

// ErrNotLoopback is matched by a [NotLoopbackError].
var ErrNotLoopback = errors.New("observer: refusing a non-loopback address without a token")

// NotLoopbackError is Listen's refusal of an address that is not a
// loopback address when no token protects the actions.
type NotLoopbackError struct {
	Addr string
}

func (e *NotLoopbackError) Error() string {
	return fmt.Sprintf("observer: %s is not a loopback address and no token is set: the page would be open to the network", e.Addr)
}

// Is matches ErrNotLoopback.
func (e *NotLoopbackError) Is(target error) bool { return target == ErrNotLoopback }

// Errors of the actions, answered as JSON with an HTTP status.
var (
	errNotFound  = errors.New("observer: no such action")                   // 404
	errNoProcess = errors.New("observer: no such live process")             // 400
	errNoQueue   = errors.New("observer: no dead-letter queue is observed") // 400
)

// badRequest marks an error about the request itself (400).
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return "observer: " + e.msg }

// sectionPanic is the error of a Section whose Rows panicked.
type sectionPanic struct{ v any }

func (p *sectionPanic) Error() string { return fmt.Sprintf("observer: section panicked: %v", p.v) }
