package supervisor

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// From a child's exit to its replacement, in the order it runs (OTP's
// restart_child/3, do_restart/3, restart/2, restart/3 and
// try_again_restart):
//
//  1. childExited: the Exit message of a running child; any other Exit is
//     ignored (a child the supervisor stopped itself was unlinked and its
//     Exit flushed).
//  2. doRestart: the child's restart type and the exit reason's class
//     decide (onExit, strategy.go): restart, or forget with or without a
//     report, which may trigger an auto-shutdown.
//  3. restart: the restart is counted against the intensity
//     (restartWindow, window.go); past it the supervisor gives up.
//  4. restartByStrategy, per executor: a static one_for_one supervisor
//     restarts the child alone (restartOne); one_for_all and rest_for_one
//     stop the group restartGroup names in reverse start order and start
//     it again in order (restartMany); a dynamic supervisor restarts the
//     child under a new PID (dynamic.restartByStrategy).
//  5. A start that failed marks its child restarting and queues a
//     tryAgain to the supervisor itself, behind the requests already
//     waiting; retry handles it by going back to step 3.
//
// With a restart backoff (backoff.go, off by default), step 3 may instead
// mark the child restarting and send the supervisor a delayedRestart
// timer message; delayedRestartDue then goes on with step 4, unless the
// child was stopped, deleted or restarted meanwhile.

// childExited handles {'EXIT', Pid, Reason} (OTP's restart_child/3).
func (s *sup) childExited(pid process.PID, reason error) error {
	c := s.exec.findRunning(pid)
	if c == nil {
		return nil // not a child (or one we already stopped): ignore
	}
	if s.opts.hook != nil {
		s.emit(ChildRestarting{Supervisor: s.self.PID(), ID: c.spec.ID, PID: pid, Reason: reason})
	}
	return s.doRestart(c, reason)
}

// doRestart is OTP's do_restart: one decision per (restart type, reason
// class).
func (s *sup) doRestart(c *child, reason error) error {
	switch onExit(c.spec.Restart, reason) {
	case restartChild:
		// The report is logged after the restart, so a slow log handler
		// delays the report, not the child's replacement. The dead pid
		// is taken first: the restart changes the child's.
		pid := c.pid
		err := s.restart(c)
		s.report("child_terminated", reason, c, pid)
		if err != nil {
			s.report("shutdown", errReachedMaxIntensity, c, pid)
		}
		return err
	case reportAndForget:
		s.report("child_terminated", reason, c, c.pid)
	}
	s.exec.delChild(c)
	return s.autoShutdown(c)
}

// autoShutdown decides whether a significant child's exit stops the
// supervisor (OTP's do_auto_shutdown); a non-nil result is the exit reason.
func (s *sup) autoShutdown(c *child) error {
	if s.flags.AutoShutdown == Never || !c.spec.Significant {
		return nil
	}
	if s.flags.AutoShutdown == AllSignificant && s.exec.anySignificantRunning() {
		return nil
	}
	if s.opts.hook != nil {
		s.emit(AutoShutdownTriggered{Supervisor: s.self.PID(), ID: c.spec.ID})
	}
	return process.Shutdown
}

// restart counts a restart against the intensity and restarts by strategy.
// A failed start queues a retry (tryAgain) behind the requests already
// waiting, as OTP does, so the supervisor stays responsive. When the
// intensity is exceeded it publishes IntensityReached and returns the
// supervisor's exit reason, shutdown; the caller logs the report.
func (s *sup) restart(c *child) error {
	now := time.Now()
	if !s.restarts.add(now) {
		if s.opts.hook != nil {
			s.emit(IntensityReached{Supervisor: s.self.PID(), ID: c.spec.ID, Reason: errReachedMaxIntensity})
		}
		s.exec.delChild(c)
		return process.Shutdown
	}
	s.info.Restarted(c.spec.ID, now)
	if d := s.restartDelay(c, now); d > 0 {
		s.delayRestart(c, tryAgain{id: c.spec.ID, pid: c.pid}, d)
		return nil
	}
	if retry := s.exec.restartByStrategy(c); retry != nil && s.alive() {
		_ = s.self.Send(s.self.PID(), *retry)
	}
	return nil
}

// restartByStrategy is OTP's restart/3 for a static supervisor.
func (st *static) restartByStrategy(c *child) *tryAgain {
	if st.flags.Strategy == OneForOne {
		return st.restartOne(c)
	}
	return st.restartMany(c, restartGroup(st.flags.Strategy, st.ids, c.spec.ID))
}

// restartOne restarts c alone (one_for_one).
func (st *static) restartOne(c *child) *tryAgain {
	pid, ignored, err := st.startOne(c)
	switch {
	case err != nil:
		st.setRestarting(c)
		return &tryAgain{id: c.spec.ID}
	case ignored:
		st.setStopped(c)
	default:
		st.setRunning(c, pid)
		if st.opts.hook != nil {
			st.emit(ChildStarted{Supervisor: st.self.PID(), ID: c.spec.ID, PID: pid, Restart: true})
		}
	}
	return nil
}

// restartMany is OTP's restart_multiple_children for one_for_all and
// rest_for_one: the group (ids, in start order) is terminated in reverse
// order, temporary members are dropped, then the group is started in
// order. A failure marks the failed child restarting and asks for a retry.
//
// group must not share its array with st.ids (restartGroup's result never
// does): terminateChildren removes temporary members from st.ids, which
// would shift the elements under it and start a child twice.
func (st *static) restartMany(c *child, group []string) *tryAgain {
	st.setStopped(c)
	if !st.terminateChildren(group) {
		return nil // killed while it stopped the group: it restarts nothing
	}
	group = st.surviving(group)
	failed, err := st.startChildren(group, true)
	if err == nil {
		return nil
	}
	st.setRestarting(st.children[failed])
	return &tryAgain{id: failed}
}

// restartByStrategy restarts a dynamic child (one_for_one); a failure
// keeps it under its old pid as restarting and asks for a retry.
func (d *dynamic) restartByStrategy(c *child) *tryAgain {
	old := c.pid
	if c.state == stateRestarting {
		d.restarting--
	}
	tbl := d.children
	tbl.remove(old)
	pid, ignored, err := d.startOne(c)
	switch {
	case err != nil:
		c.state = stateRestarting
		d.restarting++
		tbl.put(c)
		return &tryAgain{pid: old}
	case ignored:
		if d.template != nil {
			// OTP's simple_one_for_one keeps an ignored restart in its
			// children under the pid undefined (which_children shows
			// {undefined, undefined, worker}); several collapse into one.
			c.pid, c.state, c.proc = process.PID{}, stateStopped, rt.Target{}
			tbl.put(c)
		}
		return nil
	}
	d.track(c, pid)
	tbl.put(c)
	if d.opts.hook != nil {
		d.emit(ChildStarted{Supervisor: d.self.PID(), ID: c.spec.ID, PID: pid, Restart: true})
	}
	return nil
}

// retry handles a queued tryAgain (OTP's try_again_restart cast).
func (s *sup) retry(m tryAgain) error {
	c := s.exec.findRetried(m)
	if c == nil || c.state != stateRestarting {
		return nil // cancelled by terminate_child, or deleted
	}
	pid := c.pid
	err := s.restart(c)
	if err != nil {
		s.report("shutdown", errReachedMaxIntensity, c, pid)
	}
	return err
}
