package registry

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). [ErrInvalidKey]
// and [ErrInvalidOption] match it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// invalidSentinel is a sentinel about bad input that also matches
// [ErrInvalidArgument].
type invalidSentinel struct{ msg string }

func (e *invalidSentinel) Error() string { return e.msg }

// Is matches [ErrInvalidArgument].
func (e *invalidSentinel) Is(target error) bool { return target == ErrInvalidArgument }

var (
	// ErrClosed is returned by every operation on a registry after Close
	// (Elixir raises ArgumentError "unknown registry").
	ErrClosed = errors.New("registry: unknown registry (closed)")
	// ErrNotUnique is returned by operations that need unique keys
	// (UpdateValue, a via-name) on a registry with duplicate keys.
	ErrNotUnique = errors.New("registry: operation needs unique keys")
	// ErrNotRegistered is returned by UpdateValue when the process holds
	// no registration under the key (Elixir's :error).
	ErrNotRegistered = errors.New("registry: key not registered by this process")
	// ErrInvalidKey is returned for a key that cannot be a map key (a
	// slice, a map, a func, or a struct holding one), or that is not
	// equal to itself (a NaN), so it could never be looked up again. It
	// matches [ErrInvalidArgument].
	ErrInvalidKey error = &invalidSentinel{"registry: key is not comparable"}
	// ErrInvalidOption is matched by every error New returns for a bad
	// option. It matches [ErrInvalidArgument].
	ErrInvalidOption error = &invalidSentinel{"registry: invalid option"}
)

// AlreadyRegisteredError is returned by Register on a registry with unique
// keys when a live process holds the key (Elixir's
// {:error, {:already_registered, pid}}). It matches
// process.ErrNameTaken, so behaviours starting a process under a via-name
// report it as already started.
type AlreadyRegisteredError struct {
	Key any
	PID process.PID
}

func (e *AlreadyRegisteredError) Error() string {
	return fmt.Sprintf("registry: key %v already registered by %v", e.Key, e.PID)
}

// Is reports whether target is process.ErrNameTaken.
func (e *AlreadyRegisteredError) Is(target error) bool { return target == process.ErrNameTaken }

// NotFoundError is returned by [ViaName.Resolve] when no process is
// registered under the key. It matches process.NoProc, as sending to an
// unregistered name does in OTP.
type NotFoundError struct {
	Key any
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("registry: no process registered under %v", e.Key)
}

// Is reports whether target is process.NoProc.
func (e *NotFoundError) Is(target error) bool { return target == process.NoProc }
