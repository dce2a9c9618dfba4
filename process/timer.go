package process

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// TimerRef identifies a timer made by SendAfter.
type TimerRef struct {
	owner PID
	id    uint64
}

// IsZero reports whether t is the zero TimerRef.
func (t TimerRef) IsZero() bool { return t.id == 0 }

// SendAfter sends msg to to after d. The timer belongs to p: it is
// cancelled if p dies first, and [Node.CancelTimer] cancels it before. The
// message is dropped if to is dead when the timer fires.
//
// A d of zero or less sends at once (from the timer's goroutine).
func (p *Proc) SendAfter(to PID, msg Msg, d time.Duration) (TimerRef, error) {
	if p.unusable() {
		return TimerRef{}, argerr.Nil("process: Proc.SendAfter", "receiver")
	}
	return p.node.sendAfter(p, p.pid, to, msg, d)
}

// SendAfter sends msg to to after d from outside any process. The timer
// belongs to the destination process and dies with it. Safe from any
// goroutine. A d of zero or less sends at once (from the timer's
// goroutine); the zero PID and a nil node are errors matching
// [ErrInvalidArgument].
func (n *Node) SendAfter(to PID, msg Msg, d time.Duration) (TimerRef, error) {
	if n.unusable() {
		return TimerRef{}, badNode("process: Node.SendAfter", "receiver", n)
	}
	owner, err := n.resolve(to)
	if err != nil {
		return TimerRef{}, err
	}
	return n.sendAfter(owner, PID{}, to, msg, d)
}

func (n *Node) sendAfter(owner *Proc, from, to PID, msg Msg, d time.Duration) (TimerRef, error) {
	if to.node != n.id || to.IsZero() {
		_, err := n.resolve(to)
		return TimerRef{}, err
	}
	ref := TimerRef{owner: owner.pid, id: n.nextRef.Add(1)}
	owner.mu.Lock()
	defer owner.mu.Unlock()
	if owner.dead.Load() {
		return TimerRef{}, owner.notAliveLocked()
	}
	m := owner.moreLocked()
	if m.timers == nil {
		m.timers = make(map[uint64]*time.Timer, 1)
	}
	n.timers.Add(1)
	m.timers[ref.id] = time.AfterFunc(max(d, 0), func() {
		if owner.takeTimer(ref.id) == nil {
			return // cancelled or owner dead
		}
		n.timers.Add(-1)
		_ = n.send(from, to, msg)
	})
	return ref, nil
}

func (p *Proc) takeTimer(id uint64) *time.Timer {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.more.Load()
	if m == nil {
		return nil
	}
	t := m.timers[id]
	delete(m.timers, id)
	return t
}

// CancelTimer cancels a timer made by [Proc.SendAfter] or
// [Node.SendAfter] (erlang:cancel_timer/1: a process cancels its own
// timers with p.Node().CancelTimer(ref)). It reports whether the timer was
// pending: false if it fired, was cancelled, or its owner died, and for
// the zero TimerRef or a nil receiver. Safe from any goroutine.
func (n *Node) CancelTimer(ref TimerRef) bool {
	if n.unusable() || ref.IsZero() || ref.owner.IsZero() {
		return false
	}
	owner := n.lookup(ref.owner)
	if owner == nil || ref.owner.node != n.id {
		return false
	}
	t := owner.takeTimer(ref.id)
	if t == nil {
		return false
	}
	// Whoever takes a timer out of its owner's map accounts for it; the
	// callback finds nothing and sends nothing.
	t.Stop()
	n.timers.Add(-1)
	return true
}

// stopTimers cancels every timer left after the node stopped.
func (n *Node) stopTimers() {
	n.each(func(p *Proc) {
		var ts map[uint64]*time.Timer
		p.mu.Lock()
		if m := p.more.Load(); m != nil {
			ts, m.timers = m.timers, nil
		}
		p.mu.Unlock()
		for _, t := range ts {
			t.Stop()
			n.timers.Add(-1)
		}
	})
}
