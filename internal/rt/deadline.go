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

// DeadlineTime returns when d, registered on n by [StartDeadline],
// expires: a clock time a waiter can hand on (the deadline a call carries
// to its server). It costs no clock reading. The goroutine that
// registered d, or one it handed d to after registering it, may call it.
func DeadlineTime(n *process.Node, d *Deadline) time.Time {
	return impl.Sweeper(n).When(d)
}

// DeadlinePassed reports whether d, registered on n by [StartDeadline],
// is due now, even if the sweeper, late under load, has not expired it
// yet. The same goroutines as for [DeadlineTime] may call it.
func DeadlinePassed(n *process.Node, d *Deadline) bool {
	return impl.Sweeper(n).Passed(d)
}
