package process

import (
	"sync"
	"sync/atomic"
	"time"
)

// shrinkCap is the buffer capacity above which a mailbox drops its buffers
// when it empties, so a burst does not pin memory for the process's life.
const shrinkCap = 256

// mailbox is a mutex plus two swapped slices: senders append to in, the
// process takes the whole slice at once (see Proc.refill) and gives back
// the previous, emptied one. Nothing is allocated per message once the
// slices have grown.
type mailbox struct {
	mu      sync.Mutex // protects the fields below
	in      []Msg
	running bool // a goroutine owns the process (handler mode: draining)
	waiting bool // func mode: the process is parked in Receive
	closed  bool // the process is dead
	// suspended: made by rt.SpawnSuspended and not resumed yet, so no
	// goroutine owns it although running is set (which holds off
	// dispatch).
	suspended bool
	// starting: a Starter whose HandleStart has yet to run (set at spawn,
	// cleared by the goroutine that runs it, before any message).
	starting bool

	// queued counts messages in in and in the owner's batch. Senders add
	// to it under the lock (same cache line); the owner takes off a whole
	// batch at once, so it rarely writes here.
	queued atomic.Int64

	// bound is set at spawn for a bounded mailbox (nil: unbounded, the
	// default); kept apart so that the mailbox fits one cache line.
	bound *mailboxBound
}

// mailboxBound is a bounded mailbox's limit and overflow policy (read-only
// after spawn) and the signal its blocked senders wait on (under the
// mailbox lock).
type mailboxBound struct {
	limit    int
	overflow OverflowPolicy
	space    chan struct{}
}

// push appends m. It reports whether the caller must dispatch the process
// (handler mode, process was idle) or wake it (func mode, parked), and an
// error when a bounded mailbox refuses the message. A closed mailbox drops
// the message and returns dropped=true.
func (mb *mailbox) push(m Msg, system, handlerMode bool) (dispatch, wake, dropped bool, full bool) {
	mb.mu.Lock()
	if mb.closed {
		mb.mu.Unlock()
		return false, false, true, false
	}
	if mb.bound != nil && !system && int(mb.queued.Load()) >= mb.bound.limit {
		mb.mu.Unlock()
		return false, false, false, true
	}
	mb.in = append(mb.in, m)
	mb.queued.Add(1)
	if handlerMode {
		if !mb.running {
			mb.running = true
			dispatch = true
		}
	} else if mb.waiting {
		mb.waiting = false
		wake = true
	}
	mb.mu.Unlock()
	return dispatch, wake, false, false
}

// spaceSignal returns a channel closed when the owner next takes messages.
func (mb *mailbox) spaceSignal() (<-chan struct{}, bool) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if mb.closed {
		return nil, false
	}
	b := mb.bound
	if int(mb.queued.Load()) < b.limit {
		return nil, true
	}
	if b.space == nil {
		b.space = make(chan struct{})
	}
	return b.space, true
}

// took is called by the owner after it took a message out of a mailbox.
// With the BlockWhenFull policy it wakes blocked senders: room appears
// when queued drops, which counts the owner's batch too, not when the
// owner swaps the slices (a sender woken then could find the mailbox
// still full and wait again with nobody left to wake it).
func (mb *mailbox) took() {
	if mb.bound == nil || mb.bound.overflow.kind != overflowBlock {
		return
	}
	mb.mu.Lock()
	mb.signalSpaceLocked()
	mb.mu.Unlock()
}

// signalSpaceLocked wakes senders blocked on a full mailbox.
func (mb *mailbox) signalSpaceLocked() {
	if b := mb.bound; b != nil && b.space != nil {
		close(b.space)
		b.space = nil
	}
}

// close marks the mailbox dead, drops what it holds and reports whether a
// goroutine owned the process at that moment, and whether it was parked in
// Receive (and so must be woken).
func (mb *mailbox) close() (running, waiting bool, dropped int) {
	mb.mu.Lock()
	running, waiting = mb.running && !mb.suspended, mb.waiting
	mb.closed = true
	dropped = len(mb.in)
	clear(mb.in)
	mb.in = nil
	mb.waiting = false
	mb.signalSpaceLocked()
	mb.mu.Unlock()
	return running, waiting, dropped
}

// pushBounded handles the overflow policy of a full bounded mailbox.
func (n *Node) pushBounded(p *Proc, from PID, m Msg) error {
	switch p.mb.bound.overflow.kind {
	case overflowDeadLetter:
		if h := n.cfg.deadLetter; h != nil {
			h(DeadLetter{To: p.pid, From: from, Msg: m, Reason: ErrMailboxFull})
		}
		return &MailboxFullError{PID: p.pid, Limit: p.mb.bound.limit, Dropped: true}
	case overflowBlock:
		return n.pushBlocking(p, from, m)
	}
	return &MailboxFullError{PID: p.pid, Limit: p.mb.bound.limit}
}

func (n *Node) pushBlocking(p *Proc, from PID, m Msg) error {
	start := time.Now()
	deadline := start.Add(p.mb.bound.overflow.wait)
	t := time.NewTimer(p.mb.bound.overflow.wait)
	defer t.Stop()
	for {
		ch, alive := p.mb.spaceSignal()
		if !alive {
			n.dropped.Add(1)
			return nil
		}
		if ch == nil {
			dispatch, wake, dropped, full := p.mb.push(m, false, !p.isFunc())
			if !full {
				n.afterPush(p, dispatch, wake, dropped)
				return nil
			}
			continue
		}
		select {
		case <-ch:
		case <-t.C:
			return &MailboxFullError{PID: p.pid, Limit: p.mb.bound.limit, Waited: time.Since(start)}
		}
		if time.Now().After(deadline) {
			return &MailboxFullError{PID: p.pid, Limit: p.mb.bound.limit, Waited: time.Since(start)}
		}
	}
}
