package agent

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrUnknownAgent is matched by an operation on an agent id that is
	// not registered (*UnknownAgentError).
	ErrUnknownAgent = errors.New("agent: unknown agent")
	// ErrUnknownAction is matched by a run of an action the agent does
	// not have (*UnknownActionError).
	ErrUnknownAction = errors.New("agent: unknown action")
	// ErrInvalidInput is matched by a run whose input does not fit the
	// action's input type or JSON Schema (*InvalidInputError).
	ErrInvalidInput = errors.New("agent: invalid input")
	// ErrCrashed is matched by a run whose agent died while handling it,
	// or that gave up restarting (*CrashedError).
	ErrCrashed = errors.New("agent: agent crashed")
	// ErrNotRunning is matched by a run or stop of an agent that is
	// registered but stopped (*NotRunningError).
	ErrNotRunning = errors.New("agent: agent not running")
	// ErrAlreadyRegistered is returned by Register for an id already
	// registered.
	ErrAlreadyRegistered = errors.New("agent: id already registered")
	// ErrBufferFull is the reason of a message dead-lettered because the
	// agent's buffer (kept while it is hibernated or restarting) was full.
	ErrBufferFull = errors.New("agent: buffer full")
	// ErrNoSnapshot is returned by Store.Load when the agent has no
	// snapshot.
	ErrNoSnapshot = errors.New("agent: no snapshot")
	// ErrVersion is matched by a snapshot whose state schema version the
	// kind cannot read (*VersionError).
	ErrVersion = errors.New("agent: snapshot version not supported")
	// ErrStopped is returned by the operations of a stopped System.
	ErrStopped = errors.New("agent: system stopped")
)

// UnknownAgentError reports an agent id that is not registered.
type UnknownAgentError struct{ ID string }

func (e *UnknownAgentError) Error() string { return fmt.Sprintf("agent: unknown agent %q", e.ID) }

// Is makes the error match ErrUnknownAgent.
func (e *UnknownAgentError) Is(target error) bool { return target == ErrUnknownAgent }

// UnknownActionError reports an action an agent does not have.
type UnknownActionError struct{ ID, Action string }

func (e *UnknownActionError) Error() string {
	return fmt.Sprintf("agent: agent %q has no action %q", e.ID, e.Action)
}

// Is makes the error match ErrUnknownAction.
func (e *UnknownActionError) Is(target error) bool { return target == ErrUnknownAction }

// InvalidInputError reports an input that does not fit an action: Err is
// the decoding or JSON Schema validation error.
type InvalidInputError struct {
	Action string
	Err    error
}

func (e *InvalidInputError) Error() string {
	return fmt.Sprintf("agent: invalid input for action %q: %v", e.Action, e.Err)
}

// Is makes the error match ErrInvalidInput.
func (e *InvalidInputError) Is(target error) bool { return target == ErrInvalidInput }

// Unwrap returns the validation error.
func (e *InvalidInputError) Unwrap() error { return e.Err }

// CrashedError reports an agent that died while running an action (or
// whose supervisor gave up on it); Reason is its exit reason.
type CrashedError struct {
	ID     string
	Reason error
}

func (e *CrashedError) Error() string {
	return fmt.Sprintf("agent: agent %q crashed: %s", e.ID, process.FormatReason(e.Reason))
}

// Is makes the error match ErrCrashed.
func (e *CrashedError) Is(target error) bool { return target == ErrCrashed }

// Unwrap returns the exit reason.
func (e *CrashedError) Unwrap() error { return e.Reason }

// NotRunningError reports an agent that is registered but not running
// (stopped, or crashed for good); Status is its status then.
type NotRunningError struct {
	ID     string
	Status Status
}

func (e *NotRunningError) Error() string {
	return fmt.Sprintf("agent: agent %q is %s", e.ID, e.Status)
}

// Is makes the error match ErrNotRunning.
func (e *NotRunningError) Is(target error) bool { return target == ErrNotRunning }

// VersionError reports a snapshot of state schema version Have that a
// kind at version Want cannot read: it is newer, or older with no Migrate.
type VersionError struct {
	ID         string
	Have, Want int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("agent: snapshot of %q has state version %d, kind reads %d", e.ID, e.Have, e.Want)
}

// Is makes the error match ErrVersion.
func (e *VersionError) Is(target error) bool { return target == ErrVersion }

// ErrNoAgent is matched by a balancer that found no eligible agent for
// its capability (*NoAgentError).
var ErrNoAgent = errors.New("agent: no eligible agent")

// NoAgentError reports a capability with no eligible agent: none has it,
// or every one is crashed, restarting, stopped, hibernated (cold) or
// overloaded.
type NoAgentError struct{ Capability string }

func (e *NoAgentError) Error() string {
	return fmt.Sprintf("agent: no eligible agent with capability %q", e.Capability)
}

// Is makes the error match ErrNoAgent.
func (e *NoAgentError) Is(target error) bool { return target == ErrNoAgent }

var (
	errHasChildren = errors.New("agent: an agent with live children does not hibernate")
	errNoStore     = errors.New("agent: no store to hibernate into (WithStore)")
)
