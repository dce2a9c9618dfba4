package coord

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
	// ErrHeld is matched by the *[HeldError] a [Backend] returns when a key
	// is leased to another owner, and by [Coordinator.TryLock] on a held
	// lock.
	ErrHeld = errors.New("coord: held by another owner")
	// ErrLeaseLost is returned by [Backend] Renew and Release for a lease
	// that is no longer the key's current one (it expired, or another
	// owner took the key since).
	ErrLeaseLost = errors.New("coord: lease lost")
	// ErrNotHeld is returned by [Backend] Holder for a key nobody holds,
	// by [Lock.Release] for a lock that is no longer held by its handle,
	// and by [Coordinator.Leader] when an election has no leader.
	ErrNotHeld = errors.New("coord: not held")
	// ErrStaleToken is matched by the *[StaleTokenError] a [Fence]
	// returns for a fencing token older than one it has already seen.
	ErrStaleToken = errors.New("coord: stale fencing token")
	// ErrHolderDown is returned to a waiting [Coordinator.Lock] or
	// [Coordinator.Await] call whose holder process died while it waited.
	ErrHolderDown = errors.New("coord: holder process is down")
	// ErrParticipantDown is the Reason of the *[BarrierError] every
	// waiting participant gets when another participant dies before the
	// barrier trips.
	ErrParticipantDown = errors.New("coord: barrier participant is down")
	// ErrBarrierTimeout is the Reason of the *[BarrierError] every
	// waiting participant gets when the barrier's timeout passes before
	// all participants arrived.
	ErrBarrierTimeout = errors.New("coord: barrier timed out")
	// ErrNotDelivered is matched by the *[ConsensusError] Propose returns
	// when the decision could not be delivered to every live participant
	// (the supervised broadcast failed); the round then has no outcome.
	ErrNotDelivered = errors.New("coord: decision not delivered to every live participant")
	// ErrRoundFailed is matched by the *[ConsensusError] Propose returns
	// when the round's process died before it reached a decision.
	ErrRoundFailed = errors.New("coord: consensus round failed")
)

// HeldError is a key leased to another owner: what [Backend] Acquire
// returns instead of a lease. It matches [ErrHeld].
type HeldError struct {
	// Key is the key asked for.
	Key string
	// Owner and Token are the current holder's.
	Owner string
	Token uint64
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("coord: %q held by %s (token %d)", e.Key, e.Owner, e.Token)
}

// Unwrap returns [ErrHeld].
func (e *HeldError) Unwrap() error { return ErrHeld }

// StaleTokenError is a fencing token older than the newest one a
// [Fence] has accepted: the write it guards must be refused. It
// matches [ErrStaleToken].
type StaleTokenError struct {
	// Token is the refused token; Latest the newest one accepted.
	Token, Latest uint64
}

func (e *StaleTokenError) Error() string {
	return fmt.Sprintf("coord: stale fencing token %d (latest %d)", e.Token, e.Latest)
}

// Unwrap returns [ErrStaleToken].
func (e *StaleTokenError) Unwrap() error { return ErrStaleToken }

// BarrierError is a barrier round that failed for every participant:
// Reason is [ErrParticipantDown] (PID and Exit say who died and why)
// or [ErrBarrierTimeout]. It matches its Reason.
type BarrierError struct {
	// Name and Round identify the failed round.
	Name  string
	Round uint64
	// Reason is ErrParticipantDown or ErrBarrierTimeout.
	Reason error
	// PID and Exit are the dead participant and its exit reason
	// (zero and nil for a timeout).
	PID  process.PID
	Exit error
}

func (e *BarrierError) Error() string {
	if e.Exit != nil {
		return fmt.Sprintf("coord: barrier %q round %d: %v (%v: %s)", e.Name, e.Round, e.Reason, e.PID, process.FormatReason(e.Exit))
	}
	return fmt.Sprintf("coord: barrier %q round %d: %v", e.Name, e.Round, e.Reason)
}

// Unwrap returns the Reason.
func (e *BarrierError) Unwrap() error { return e.Reason }

// ConsensusError is a consensus round with no delivered outcome. Err
// matches [ErrNotDelivered] (Decision is what was decided but not
// delivered to all, Cause the broadcast's error) or [ErrRoundFailed]
// (Cause is the round process's exit reason).
type ConsensusError struct {
	// Name and Round identify the round.
	Name  string
	Round uint64
	// Err is ErrNotDelivered or ErrRoundFailed.
	Err error
	// Cause is the underlying error (a *send.BroadcastError, an exit
	// reason).
	Cause error
	// Decision is the decision that was reached, if any.
	Decision Decision
}

func (e *ConsensusError) Error() string {
	return fmt.Sprintf("coord: consensus %q round %d: %v: %v", e.Name, e.Round, e.Err, e.Cause)
}

// Unwrap returns Err and Cause.
func (e *ConsensusError) Unwrap() []error { return []error{e.Err, e.Cause} }

func invalid(op, arg, reason string) error { return argerr.New(op, arg, reason) }
func isNil(op, arg string) error           { return argerr.Nil(op, arg) }
func empty(op, arg string) error           { return argerr.Empty(op, arg) }
