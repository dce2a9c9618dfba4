package schedule

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ID names a schedule within its scheduler. Generated ids are 16 hex
// digits; ids given with [WithID] are 1 to 128 characters from
// [A-Za-z0-9_=-] (so every id is a valid JetStream KV key).
type ID string

// Kind is what a schedule repeats on.
type Kind int

const (
	// After delivers once, after a delay.
	After Kind = iota + 1
	// Every delivers repeatedly, at a fixed interval (plus jitter).
	Every
	// Cron delivers at the times a cron expression matches.
	Cron
)

// String returns "after", "every" or "cron".
func (k Kind) String() string {
	switch k {
	case After:
		return "after"
	case Every:
		return "every"
	case Cron:
		return "cron"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText encodes k as its String form; an unknown kind is an error
// matching [ErrInvalidArgument].
func (k Kind) MarshalText() ([]byte, error) {
	if k < After || k > Cron {
		return nil, argerr.New("schedule: Kind.MarshalText", "k", fmt.Sprintf("unknown kind %d", int(k)))
	}
	return []byte(k.String()), nil
}

// UnmarshalText decodes "after", "every" or "cron"; any other text, or a
// nil k, is an error matching [ErrInvalidArgument].
func (k *Kind) UnmarshalText(b []byte) error {
	if k == nil {
		return argerr.Nil("schedule: Kind.UnmarshalText", "receiver")
	}
	switch string(b) {
	case "after":
		*k = After
	case "every":
		*k = Every
	case "cron":
		*k = Cron
	default:
		return argerr.New("schedule: Kind.UnmarshalText", "b", fmt.Sprintf("unknown kind %q", b))
	}
	return nil
}

// Info describes one schedule, as [Scheduler.List] returns it.
type Info struct {
	ID   ID
	Kind Kind
	// Spec is the delay (After), the interval (Every) or the expression
	// (Cron), as given.
	Spec string
	Dest process.Dest
	// Owner is the process whose death cancels the schedule; zero when
	// it has none.
	Owner  process.PID
	Jitter time.Duration
	// Next is when the schedule fires next.
	Next    time.Time
	Durable bool
	// Runs counts firings, Failures failed deliveries, Skipped firings
	// dropped because the previous delivery was still running.
	Runs, Failures, Skipped uint64
}

// Failure describes a delivery that failed, as the [WithOnFailure] hook
// and the [EventDeliveryFailed] event report it.
type Failure struct {
	ID   ID
	Kind Kind
	Dest process.Dest
	// Msg is the message that was not delivered.
	Msg any
	// Reason is the Deliverer's error, or the delivery process's exit
	// reason if it crashed.
	Reason error
	// Last is true when the schedule will not fire again (an After).
	Last bool
}

// Cancel reasons, the "reason" metadata of [EventCancelled].
const (
	// ReasonCancel: [Scheduler.Cancel] removed the schedule.
	ReasonCancel = "cancel"
	// ReasonOwnerDown: the schedule's owner process died.
	ReasonOwnerDown = "owner_down"
)
