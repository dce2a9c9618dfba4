package process

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// invalidSentinel is a sentinel error about bad input: it is itself (for
// errors.Is against it) and it also matches [ErrInvalidArgument].
type invalidSentinel struct{ msg string }

func (e *invalidSentinel) Error() string { return e.msg }

// Is matches [ErrInvalidArgument].
func (e *invalidSentinel) Is(target error) bool { return target == ErrInvalidArgument }

var (
	// ErrInvalidArgument is matched by every error about bad input to
	// this package; it is the same value in every Orchard package
	// (docs/ERRORS.md). [ErrInvalidPID] and [ErrInvalidOption] match it
	// too.
	ErrInvalidArgument = argerr.ErrInvalidArgument
	// ErrNodeStopped is returned by calls on a node that has stopped or is
	// stopping.
	ErrNodeStopped = errors.New("process: node stopped")
	// ErrStopped is returned by every Stop after the first.
	ErrStopped = errors.New("process: node already stopped")
	// ErrInvalidPID is returned for the zero PID. It matches
	// [ErrInvalidArgument].
	ErrInvalidPID error = &invalidSentinel{"process: invalid pid"}
	// ErrNotAlive is returned by operations a dead process may not do.
	ErrNotAlive = errors.New("process: calling process is not alive")
	// ErrNameTaken is returned by Register when the name is in use.
	ErrNameTaken = errors.New("process: name already registered")
	// ErrAlreadyNamed is returned by Register when the process has a name.
	ErrAlreadyNamed = errors.New("process: process already has a name")
	// ErrMailboxFull is matched (with errors.Is) by every *MailboxFullError.
	ErrMailboxFull = errors.New("process: mailbox full")
	// ErrIgnored is returned by a start function whose process decided not
	// to run (OTP's ignore from init). Supervisors treat it as a start
	// that produced no process, not as a failure.
	ErrIgnored = errors.New("process: start ignored")
	// ErrInvalidOption is matched, besides [ErrInvalidArgument], by the
	// errors about an invalid [Option] or [SpawnOption], a nil spawn
	// function or handler, an empty name given to Register and a Receive
	// in a handler process (each an *[ArgumentError]). It matches
	// [ErrInvalidArgument].
	ErrInvalidOption error = &invalidSentinel{"process: invalid option"}
)

// WrongNodeError is returned when a PID belongs to another node than the
// one asked to act on it.
type WrongNodeError struct {
	PID  PID
	Node uint32
}

func (e *WrongNodeError) Error() string {
	if e.Node == 0 {
		return fmt.Sprintf("process: node %d of %v is not running", e.PID.node, e.PID)
	}
	return fmt.Sprintf("process: %v belongs to node %d, not node %d", e.PID, e.PID.node, e.Node)
}

// Is reports ErrNodeStopped when the PID's node is no longer running.
func (e *WrongNodeError) Is(target error) bool {
	return target == ErrNodeStopped && lookupNode(e.PID.node) == nil
}

// NoProcError says that a process does not exist (any more): the process
// PID, or, when Name is set, a process registered as Name (as in OTP, a
// call to an unregistered name exits with noproc; PID is then zero).
// Reason is its exit reason when known, else [NoProc].
type NoProcError struct {
	PID    PID
	Name   string
	Reason error
}

func (e *NoProcError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("process: no process registered as %q", e.Name)
	}
	return fmt.Sprintf("process: no process %v (%s)", e.PID, FormatReason(e.Reason))
}

// Unwrap returns the exit reason, so errors.Is(err, process.NoProc) holds
// when the process was never found and errors.Is(err, process.Killed) when
// it was killed.
func (e *NoProcError) Unwrap() error { return e.Reason }

// MailboxFullError is returned by Send when a bounded mailbox refuses a
// message. Dropped is true when the message went to the node's dead-letter
// hook instead of being returned to the caller.
type MailboxFullError struct {
	PID     PID
	Limit   int
	Dropped bool
	Waited  time.Duration
}

func (e *MailboxFullError) Error() string {
	s := fmt.Sprintf("process: mailbox of %v full (limit %d)", e.PID, e.Limit)
	if e.Dropped {
		s += "; message sent to dead letters"
	}
	if e.Waited > 0 {
		s += fmt.Sprintf("; waited %v", e.Waited)
	}
	return s
}

// Is matches ErrMailboxFull.
func (e *MailboxFullError) Is(target error) bool { return target == ErrMailboxFull }

// invalidOption returns the error for a bad option, or a bad argument of
// a spawn, Register, Receive or rt operation: an *ArgumentError that
// matches [ErrInvalidArgument] and [ErrInvalidOption].
func invalidOption(op, arg, reason string) error {
	return argerr.Also(ErrInvalidOption, op, arg, reason)
}

// StopError is returned by Node.Stop when processes did not stop in time.
type StopError struct {
	// Remaining is the number of processes still alive when Stop gave up.
	Remaining int
	// Zombies lists processes that were killed but whose goroutine never
	// returned.
	Zombies []ZombieInfo
}

func (e *StopError) Error() string {
	return fmt.Sprintf("process: node stop incomplete: %d processes alive, %d zombies", e.Remaining, len(e.Zombies))
}

// errFuncHandled is the reason a Func process would end with if its
// messages were ever handed to a handler (funcProc; never, as run starts
// a Func itself).
var errFuncHandled = errors.New("process: a Func process's message went to HandleMessage")
