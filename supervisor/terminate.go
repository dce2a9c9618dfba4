package supervisor

import (
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Stopping children: one at a time (shutdown, OTP's shutdown/2, for the
// static executor and for TerminateChild), or many at once (awaitAll,
// for the dynamic executor's terminateAll). A supervisor that dies while
// it waits stops there.

// shutdown stops one running child: Kill for BrutalKill; otherwise the
// exit signal Shutdown, then Kill if it has not died within its shutdown
// time. The child's own Exit message is flushed, so its death is not seen
// as a crash. The child is watched through its rt.Target (a monitor
// without a message), so a child that unlinked itself cannot hang the
// supervisor, and a child found dead is reported with its own exit reason.
//
// shutdown returns false if the supervisor itself is dead, or dies while
// it waits: its parent's shutdown timeout ran out, or it was killed. A
// dead supervisor does nothing more, as in OTP, where it is simply gone:
// the child is neither killed nor reported and is left as it is (a child
// that hangs in its shutdown handler lives on, unlinked, as an orphan).
func (s *sup) shutdown(c *child) bool {
	if !s.alive() {
		return false
	}
	pid := c.pid
	t := c.proc
	if t == (rt.Target{}) {
		t, _ = rt.Lookup(pid)
	}
	// Unlinked before the signal, as OTP's monitor_child does, so a child
	// the supervisor dies waiting for gets no exit signal from that death.
	// An Exit the child sent before is flushed below.
	s.self.Unlink(pid)
	var reason error
	if t != (rt.Target{}) {
		if t.Alive() && !s.signalAndWait(t, c.spec.shutdown()) {
			return false
		}
		reason = t.Reason()
	}
	if flushed := s.unlinkFlush(pid); reason == nil {
		reason = flushed
	}
	if reason == nil {
		reason = process.NoProc
	}
	if s.opts.hook != nil {
		s.emit(ChildTerminated{Supervisor: s.self.PID(), ID: c.spec.ID, PID: pid, Reason: reason})
	}
	if !shutdownOK(reason, c.spec) {
		s.report("shutdown_error", reason, c, pid)
	}
	return true
}

// unlinkFlush unlinks pid and drops its Exit message, if one came, so
// the child's death is not taken for a crash; it returns that message's
// reason, or nil (OTP's unlink_flush).
func (s *sup) unlinkFlush(pid process.PID) error {
	s.self.Unlink(pid)
	var reason error
	s.self.Flush(func(m process.Msg) bool {
		e, ok := m.(process.Exit)
		if ok && e.From == pid {
			reason = e.Reason
			return true
		}
		return false
	})
	return reason
}

// signalAndWait sends the child t its shutdown signal (Kill for
// BrutalKill) and waits for its death, killing it when its shutdown time
// runs out. Every wait also watches the supervisor's own death: it
// returns false as soon as the supervisor is dead, so a dead supervisor
// never kills the child when the child's timeout expires.
func (s *sup) signalAndWait(t rt.Target, sd Shutdown) bool {
	dead := s.self.Done()
	if sd == BrutalKill {
		_ = s.self.Exit(t.PID(), process.Kill)
		return s.await(t, dead) // a killed process is dead at once
	}
	_ = s.self.Exit(t.PID(), process.Shutdown)
	if sd == Infinity {
		return s.await(t, dead)
	}
	timer := time.NewTimer(time.Duration(sd))
	defer timer.Stop()
	select {
	case <-t.Done():
		return true
	case <-dead:
		return false
	case <-timer.C:
	}
	if !s.alive() {
		return false // died at the same instant: the timer does not kill
	}
	// The supervisor may die between the check above and this kill (the
	// check takes no lock: Proc.Exit cannot hold one across a signal).
	// That is harmless: the child's shutdown time has run out and it is
	// linked to the supervisor, so the supervisor's death ends it too
	// (or, trapping, tells it its parent is gone); the kill only decides
	// that its reason is Killed, as if sent just before the death.
	_ = s.self.Exit(t.PID(), process.Kill)
	return s.await(t, dead)
}

// await waits for t's death; it returns false if the supervisor dies
// first (dead is its Done channel).
func (s *sup) await(t rt.Target, dead <-chan struct{}) bool {
	select {
	case <-t.Done():
		return true
	case <-dead:
		return false
	}
}

// alive reports whether the supervisor's process still lives. Code that
// may run after a long wait (a child's shutdown, a child's start) checks
// it before it acts, and the supervisor's events and reports are dropped
// once it is dead: a dead process sends no signal, starts and kills
// nothing and is seen to do nothing. The check is not atomic with what
// follows it: the supervisor may die just after; see signalAndWait for
// why acting then is harmless.
func (s *sup) alive() bool { return s.self.Alive() }

// shutdownOK says whether reason is an expected result of a shutdown.
func shutdownOK(reason error, spec ChildSpec) bool {
	if reason == process.Shutdown || reason == process.Killed && spec.shutdown() == BrutalKill {
		return true
	}
	return spec.Restart != Permanent && process.IsNormalOrShutdown(reason)
}

// dynStop is a child being shut down, among many stopped at once (a
// dynamic supervisor's terminateAll); a zero deadline means Infinity.
type dynStop struct {
	t        rt.Target
	deadline time.Time
}

// awaitAll waits for every child in pending, killing each one whose
// deadline passes first. Children are waited for in deadline order
// (Infinity last) with one timer, re-armed for the next deadline. It
// returns false as soon as the supervisor itself is dead.
func (s *sup) awaitAll(pending []dynStop) bool {
	dead := s.self.Done()
	slices.SortFunc(pending, func(a, b dynStop) int {
		switch {
		case a.deadline.Equal(b.deadline):
			return 0
		case a.deadline.IsZero():
			return 1
		case b.deadline.IsZero():
			return -1
		}
		return a.deadline.Compare(b.deadline)
	})
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for i, p := range pending {
		if p.deadline.IsZero() {
			if !s.await(p.t, dead) {
				return false
			}
			continue
		}
		if timer == nil {
			timer = time.NewTimer(time.Until(p.deadline))
		} else {
			timer.Reset(time.Until(p.deadline))
		}
		select {
		case <-p.t.Done():
			continue
		case <-dead:
			return false
		case <-timer.C:
		}
		if !s.alive() {
			return false // died at the same instant: the timer does not kill
		}
		// p's deadline passed: kill every child whose deadline has.
		now := time.Now()
		for _, q := range pending[i:] {
			if !q.deadline.IsZero() && !q.deadline.After(now) {
				_ = s.self.Exit(q.t.PID(), process.Kill)
			}
		}
		if !s.await(p.t, dead) {
			return false
		}
	}
	return true
}
