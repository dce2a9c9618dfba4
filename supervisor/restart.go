package supervisor

import (
	"math"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// infiniteInit bounds a supervisor's boot: OTP waits forever; we wait an
// hour, which no sane tree reaches, so Start never blocks unboundedly.
const infiniteInit = time.Hour

// restartWindow counts restarts within the period. It keeps at most
// MaxRestarts+1 timestamps in a ring, so each restart costs O(1) however
// long the supervisor has lived (the BEAM's list grows with its history).
type restartWindow struct {
	max    int
	period time.Duration
	ring   []time.Time
	head   int // index of the oldest
	n      int
}

func (w *restartWindow) init(max int, period time.Duration) {
	w.max, w.period = max, period
	w.ring = make([]time.Time, min(w.limit(), 1024))
}

// limit is the most timestamps the ring ever needs: MaxRestarts+1.
func (w *restartWindow) limit() int {
	if w.max >= math.MaxInt-1 {
		return math.MaxInt
	}
	return w.max + 1
}

// add records a restart at now and reports whether the intensity is
// still respected (OTP's add_restart: more than max restarts within the
// period means give up). A restart exactly period ago still counts.
func (w *restartWindow) add(now time.Time) bool {
	threshold := now.Add(-w.period)
	for w.n > 0 && w.ring[w.head].Before(threshold) {
		w.dropOldest()
	}
	if w.n == len(w.ring) {
		if len(w.ring) < w.limit() {
			w.grow()
		} else {
			// max+1 restarts in the window already: the answer is no
			// whatever we keep, so keep the ring bounded.
			w.dropOldest()
		}
	}
	w.ring[(w.head+w.n)%len(w.ring)] = now
	w.n++
	return w.n <= w.max
}

func (w *restartWindow) dropOldest() {
	w.head = (w.head + 1) % len(w.ring)
	w.n--
}

// grow doubles the ring, up to limit; only reached when MaxRestarts
// exceeds 1023.
func (w *restartWindow) grow() {
	bigger := make([]time.Time, min(2*len(w.ring), w.limit()))
	for i := 0; i < w.n; i++ {
		bigger[i] = w.ring[(w.head+i)%len(w.ring)]
	}
	w.ring, w.head = bigger, 0
}

// childExited handles {'EXIT', Pid, Reason} (OTP's restart_child/3).
func (s *sup) childExited(pid process.PID, reason error) error {
	c := s.findByPID(pid)
	if c == nil {
		return nil // not a child (or one we already stopped): ignore
	}
	if s.opts.hook != nil {
		s.emit(ChildRestarting{Supervisor: s.self.PID(), ID: c.spec.ID, PID: pid, Reason: reason})
	}
	return s.doRestart(c, reason)
}

func (s *sup) findByPID(pid process.PID) *child {
	if s.dynamic {
		if c := s.dyn.get(pid); c != nil && c.state == stateRunning {
			return c
		}
		return nil
	}
	return s.byPID[pid]
}

// doRestart is OTP's do_restart: one decision per (restart type, reason
// class).
func (s *sup) doRestart(c *child, reason error) error {
	switch onExit(c.spec.Restart, reason) {
	case restartChild:
		// The report is logged after the restart, so a slow log handler
		// delays the report, not the child's replacement. The offender
		// is taken first: the restart changes the child's pid.
		off := offenderOf(c)
		err := s.restart(c)
		s.report("child_terminated", reason, off)
		if err != nil {
			s.report("shutdown", errReachedMaxIntensity, off)
		}
		return err
	case reportAndForget:
		s.report("child_terminated", reason, offenderOf(c))
	}
	s.delChild(c)
	return s.autoShutdown(c)
}

// delChild forgets a dead child: temporary ones entirely, others keep
// their spec with no process (OTP's del_child).
func (s *sup) delChild(c *child) {
	if s.dynamic {
		s.dyn.remove(c.pid)
		return
	}
	if c.spec.Restart == Temporary {
		s.removeChild(c.spec.ID)
		return
	}
	s.setStopped(c)
}

// autoShutdown decides whether a significant child's exit stops the
// supervisor (OTP's do_auto_shutdown); a non-nil result is the exit reason.
func (s *sup) autoShutdown(c *child) error {
	if s.flags.AutoShutdown == Never || !c.spec.Significant {
		return nil
	}
	if s.flags.AutoShutdown == AllSignificant && s.anySignificantRunning() {
		return nil
	}
	if s.opts.hook != nil {
		s.emit(AutoShutdownTriggered{Supervisor: s.self.PID(), ID: c.spec.ID})
	}
	return process.Shutdown
}

func (s *sup) anySignificantRunning() bool {
	if s.dynamic {
		// Per-spec dynamic children may mix significant and other
		// children; only the significant ones keep the supervisor up.
		for _, c := range s.dyn.all() {
			if c.state != stateStopped && c.spec.Significant {
				return true
			}
		}
		return false
	}
	for _, c := range s.children {
		if c.state != stateStopped && c.spec.Significant {
			return true
		}
	}
	return false
}

// restart counts a restart against the intensity and restarts by strategy.
// A failed start queues a retry (tryAgain) behind the requests already
// waiting, as OTP does, so the supervisor stays responsive. When the
// intensity is exceeded it publishes IntensityReached and returns the
// supervisor's exit reason, shutdown; the caller logs the report.
func (s *sup) restart(c *child) error {
	if !s.restarts.add(time.Now()) {
		if s.opts.hook != nil {
			s.emit(IntensityReached{Supervisor: s.self.PID(), ID: c.spec.ID, Reason: errReachedMaxIntensity})
		}
		s.delChild(c)
		return process.Shutdown
	}
	var retry *tryAgain
	switch {
	case s.dynamic:
		retry = s.restartDynamic(c)
	case s.flags.Strategy == OneForOne:
		retry = s.restartOne(c)
	default:
		retry = s.restartMany(c, restartGroup(s.flags.Strategy, s.ids, c.spec.ID))
	}
	if retry != nil && s.alive() {
		_ = s.self.Send(s.self.PID(), *retry)
	}
	return nil
}

func (s *sup) restartOne(c *child) *tryAgain {
	pid, ignored, err := s.startOne(c)
	switch {
	case err != nil:
		s.setRestarting(c)
		return &tryAgain{id: c.spec.ID}
	case ignored:
		s.setStopped(c)
	default:
		s.setRunning(c, pid)
		if s.opts.hook != nil {
			s.emit(ChildStarted{Supervisor: s.self.PID(), ID: c.spec.ID, PID: pid, Restart: true})
		}
	}
	return nil
}

func (s *sup) setRestarting(c *child) {
	if c.state == stateRunning {
		delete(s.byPID, c.pid)
	}
	c.state = stateRestarting
}

// restartMany is OTP's restart_multiple_children for one_for_all and
// rest_for_one: the group (ids, in start order) is terminated in reverse
// order, temporary members are dropped, then the group is started in
// order. A failure marks the failed child restarting and asks for a retry.
//
// group must not share its array with s.ids (restartGroup's result never
// does): terminateChildren removes temporary members from s.ids, which
// would shift the elements under it and start a child twice.
func (s *sup) restartMany(c *child, group []string) *tryAgain {
	s.setStopped(c)
	if !s.terminateChildren(group) {
		return nil // killed while it stopped the group: it restarts nothing
	}
	group = s.surviving(group)
	failed, err := s.startChildren(group, true)
	if err == nil {
		return nil
	}
	s.setRestarting(s.children[failed])
	return &tryAgain{id: failed}
}

// surviving filters out ids removed meanwhile (temporary children).
func (s *sup) surviving(ids []string) []string {
	out := ids[:0:0]
	for _, id := range ids {
		if _, ok := s.children[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// retry handles a queued tryAgain (OTP's try_again_restart cast).
func (s *sup) retry(m tryAgain) error {
	var c *child
	if s.dynamic {
		c = s.dyn.get(m.pid)
	} else {
		c = s.children[m.id]
	}
	if c == nil || c.state != stateRestarting {
		return nil // cancelled by terminate_child, or deleted
	}
	off := offenderOf(c)
	err := s.restart(c)
	if err != nil {
		s.report("shutdown", errReachedMaxIntensity, off)
	}
	return err
}
