package supervisor

import (
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// static is the executor of a supervisor started from a Spec. Its
// children are an ordered id slice plus a map, as supervisor.erl keeps
// {Ids, Db}; ids is in start order. running finds the running children by
// PID, for the exits. It is owned by the supervisor's process (no locks).
type static struct {
	*sup
	ids      []string
	children map[string]*child
	running  runningIndex
	initial  []ChildSpec // the children to start at boot; nil after Init
}

func newStatic(s *sup, initial []ChildSpec) *static {
	return &static{
		sup:      s,
		children: make(map[string]*child),
		initial:  append([]ChildSpec(nil), initial...),
	}
}

// initChildren starts the Spec's children in order. A failed start stops
// those already started, in reverse order, and fails the boot.
func (st *static) initChildren() error {
	for _, spec := range st.initial {
		st.children[spec.ID] = &child{spec: spec}
		st.ids = append(st.ids, spec.ID)
	}
	st.initial = nil
	if failed, err := st.startChildren(st.ids, false); err != nil {
		if !st.alive() || !st.terminateChildren(st.ids) {
			return st.self.Reason() // killed during the boot
		}
		return process.ShutdownWith(&StartChildError{ID: failed, Reason: err})
	}
	return nil
}

// startChildren starts ids in order (OTP's start_children). On a failure
// it returns the failing id and its error; children after it are left
// stopped. Temporary children that return ignore are dropped.
// restart says whether this is a group restart (for the events).
func (st *static) startChildren(ids []string, restart bool) (string, error) {
	for _, id := range append([]string(nil), ids...) {
		c := st.children[id]
		pid, ignored, err := st.startOne(c)
		switch {
		case err != nil:
			return id, err
		case ignored:
			st.setStopped(c)
			if c.spec.Restart == Temporary {
				st.removeChild(id)
			}
		default:
			st.setRunning(c, pid)
			if st.opts.hook != nil {
				st.emit(ChildStarted{Supervisor: st.self.PID(), ID: id, PID: pid, Restart: restart})
			}
		}
	}
	return "", nil
}

// terminateAll stops every child one at a time in reverse start order.
func (st *static) terminateAll() { st.terminateChildren(st.ids) }

// terminateChildren stops the children ids (given in start order) one at
// a time in reverse order; temporary children are removed, the others
// kept as stopped (OTP's terminate_children). It returns false, leaving
// the rest alone, if the supervisor died meanwhile (see shutdown).
func (st *static) terminateChildren(ids []string) bool {
	for i := len(ids) - 1; i >= 0; i-- {
		c, ok := st.children[ids[i]]
		if !ok {
			continue
		}
		if c.state == stateRunning && !st.shutdown(c) {
			return false
		}
		if c.spec.Restart == Temporary {
			st.removeChild(c.spec.ID)
		} else {
			st.setStopped(c)
		}
	}
	return true
}

// runStart runs the child's own start function.
func (st *static) runStart(c *child) (process.PID, error) {
	return c.spec.Start(st.self.Proc)
}

// findRunning returns the running child pid, or nil.
func (st *static) findRunning(pid process.PID) *child { return st.running.find(pid) }

// findRetried returns the child m retries, by id.
func (st *static) findRetried(m tryAgain) *child { return st.children[m.id] }

// delChild forgets a dead child: temporary ones entirely, others keep
// their spec with no process (OTP's del_child).
func (st *static) delChild(c *child) {
	if c.spec.Restart == Temporary {
		st.removeChild(c.spec.ID)
		return
	}
	st.setStopped(c)
}

func (st *static) anySignificantRunning() bool {
	for _, c := range st.children {
		if c.state != stateStopped && c.spec.Significant {
			return true
		}
	}
	return false
}

// The child table's transitions. running follows the running children.

func (st *static) setRunning(c *child, pid process.PID) {
	if c.state == stateRunning {
		st.running.repid(c, pid)
	} else {
		st.running.add(c, pid)
	}
	st.track(c, pid)
}

func (st *static) setStopped(c *child) {
	if c.state == stateRunning {
		st.running.remove(c)
	}
	c.pid, c.state, c.proc = process.PID{}, stateStopped, rt.Target{}
}

func (st *static) setRestarting(c *child) {
	if c.state == stateRunning {
		st.running.remove(c)
	}
	c.state = stateRestarting
}

func (st *static) removeChild(id string) {
	c, ok := st.children[id]
	if !ok {
		return
	}
	if c.state == stateRunning {
		st.running.remove(c)
	}
	delete(st.children, id)
	for i, x := range st.ids {
		if x == id {
			st.ids = append(st.ids[:i], st.ids[i+1:]...)
			break
		}
	}
}

// surviving filters out ids removed meanwhile (temporary children).
func (st *static) surviving(ids []string) []string {
	out := ids[:0:0]
	for _, id := range ids {
		if _, ok := st.children[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// scanMax is the most running children a runningIndex scans: a static
// supervisor usually has a handful, and a scan of a few pointers beats
// hashing a PID (and deleting and inserting it on every restart).
const scanMax = 16

// runningIndex finds a static supervisor's running children by PID. Up to
// scanMax of them it is a slice, scanned; from the first time there are
// more it is a map (and stays one), so that a supervisor of thousands of
// children finds one in O(1). add is given the PID the child now runs
// under; repid and remove are called while c.pid is still the PID it is
// indexed under (setRunning calls them before track changes it).
type runningIndex struct {
	few   []*child               // the running children, while byPID is nil
	byPID map[process.PID]*child // nil until more than scanMax ran at once
}

// find returns the running child pid, or nil.
func (x *runningIndex) find(pid process.PID) *child {
	if x.byPID != nil {
		return x.byPID[pid]
	}
	for _, c := range x.few {
		if c.pid == pid {
			return c
		}
	}
	return nil
}

// add indexes c, not running until now, under pid.
func (x *runningIndex) add(c *child, pid process.PID) {
	if x.byPID == nil && len(x.few) < scanMax {
		x.few = append(x.few, c)
		return
	}
	if x.byPID == nil {
		x.byPID = make(map[process.PID]*child, 2*scanMax)
		for _, r := range x.few {
			x.byPID[r.pid] = r
		}
		x.few = nil
	}
	x.byPID[pid] = c
}

// repid moves the running child c from c.pid to pid (a restart).
func (x *runningIndex) repid(c *child, pid process.PID) {
	if x.byPID != nil {
		delete(x.byPID, c.pid)
		x.byPID[pid] = c
	} // the slice holds c itself, which track gives its new pid
}

// remove forgets c, running until now under c.pid.
func (x *runningIndex) remove(c *child) {
	if x.byPID != nil {
		delete(x.byPID, c.pid)
		return
	}
	for i, r := range x.few {
		if r == c {
			last := len(x.few) - 1
			x.few[i] = x.few[last]
			x.few[last] = nil
			x.few = x.few[:last]
			return
		}
	}
}
