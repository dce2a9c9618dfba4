package rt

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt/rtcore"
	"github.com/seed-fe72f376/orchard/process"
)

// Expirer is told that its deadline passed. Expire runs on the node's
// deadline goroutine and must not block.
type Expirer = rtcore.Expirer

// Deadline is a timeout record for hot paths such as calls. Embed it in
// the object that waits and register it with [StartDeadline]: there is no
// runtime timer per wait (blocking on a timer channel costs more than the
// call it guards); one goroutine per node sweeps the deadlines and calls
// Expire on those that passed. A Deadline fires at or a little after its
// time, never before.
type Deadline = rtcore.Deadline

// StartDeadline registers d to expire after timeout on n, calling
// e.Expire then. A registered d must be stopped with [StopDeadline]
// before it is reused. Safe from any goroutine.
//
// StartDeadline has no error result, so bad input is handled so that no
// waiter is stuck: with a nil e it does nothing; with a nil n or a nil d
// (nothing to register), e expires at once, as it does on a stopped node.
func StartDeadline(n *process.Node, d *Deadline, timeout time.Duration, e Expirer) {
	impl.Sweeper(n).Start(d, timeout, e)
}

// StopDeadline unregisters d from n. It reports whether d was still
// pending (false if it already expired, and for a nil n or d). Safe from
// any goroutine.
func StopDeadline(n *process.Node, d *Deadline) bool {
	return impl.Sweeper(n).Stop(d)
}

// Clock reads n's deadline clock: nanoseconds since an origin of n's, the
// clock a Deadline's At is on. A waiter compares it with the deadlines it
// holds; [ClockOf] and [ClockTime] convert to and from clock times. For a
// nil n it is later than every deadline.
func Clock(n *process.Node) int64 { return impl.Sweeper(n).Now() }

// ClockOf returns the clock time t on n's deadline clock ([Clock]),
// without reading the clock.
func ClockOf(n *process.Node, t time.Time) int64 { return impl.Sweeper(n).ClockOf(t) }

// ClockTime returns the clock time of at, a time on n's deadline clock
// ([Clock]; a registered Deadline's At), without reading the clock: the
// deadline a waiter hands on.
func ClockTime(n *process.Node, at int64) time.Time { return impl.Sweeper(n).Time(at) }
