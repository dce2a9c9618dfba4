package process

import (
	"sync"
	"time"
)

// Alarm is a reusable deadline timer from a node's pool, for code that
// waits with a timeout on a hot path (a call). Arming a fresh runtime
// timer per wait costs more than the wait itself; an Alarm stays armed
// while pooled and is reused as long as it fires no later than the new
// deadline. It may therefore fire early: [Alarm.Expired] tells a real
// expiry from an early one and re-arms in the latter case.
//
// Alarms are bound to their node so that tests running the node inside a
// testing/synctest bubble only ever touch the bubble's own timers.
type Alarm struct {
	node     *Node
	t        *time.Timer
	fireAt   time.Time // when t is armed to fire
	deadline time.Time
}

type alarmPool struct{ p sync.Pool }

// Alarm returns an alarm whose channel fires no later than d from now.
// Release it when the wait is over.
func (n *Node) Alarm(d time.Duration) *Alarm {
	now := time.Now()
	deadline := now.Add(d)
	a, _ := n.alarms.p.Get().(*Alarm)
	if a == nil {
		return &Alarm{node: n, t: time.NewTimer(d), fireAt: deadline, deadline: deadline}
	}
	a.deadline = deadline
	if a.fireAt.After(deadline) || !a.fireAt.After(now) {
		a.t.Reset(d)
		a.fireAt = deadline
	}
	return a
}

// C returns the channel the alarm fires on.
func (a *Alarm) C() <-chan time.Time { return a.t.C }

// Expired is called after C fired. It reports whether the deadline has
// passed; if not, the fire was early and the alarm is re-armed for the
// time left, so the caller keeps waiting on C.
func (a *Alarm) Expired() bool {
	left := time.Until(a.deadline)
	if left <= 0 {
		return true
	}
	a.t.Reset(left)
	a.fireAt = a.deadline
	return false
}

// Release returns the alarm to its node's pool. The alarm must not be
// used afterwards.
func (a *Alarm) Release() { a.node.alarms.p.Put(a) }
