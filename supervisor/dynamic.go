package supervisor

import (
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// dynamic is the executor of a supervisor started from a DynamicSpec: no
// children at boot, each added at run time from the template or its own
// spec, all restarted one_for_one. It is owned by the supervisor's
// process (no locks), except adoptions (see table).
type dynamic struct {
	*sup
	template    *Template
	maxChildren int
	// children is keyed by pid (the old pid while restarting). The
	// executor's entry points read it through table; see there.
	children   *dynTable
	restarting int        // children in stateRestarting
	adoptions  *adoptions // children of TemporaryStarters not yet in children; nil if none was made
}

func newDynamic(s *sup, spec DynamicSpec, node uint32) *dynamic {
	return &dynamic{
		sup:         s,
		template:    spec.Template,
		maxChildren: spec.MaxChildren,
		children:    newDynTable(node),
	}
}

// table returns the children, after filing those TemporaryStarters have
// spawned since it last ran (adopt). It is the one place the adoption
// queue is drained: each way into the executor (an exit, a retry, an
// admin call, the terminate) starts by calling it, so the supervisor
// knows a starter's child before it handles anything about it; the code
// below an entry point uses d.children as it is.
func (d *dynamic) table() *dynTable {
	if d.adoptions != nil && d.adoptions.any.Load() {
		d.adopt()
	}
	return d.children
}

// adopt records the children TemporaryStarters spawned since the last
// time, as startChild records one it started. A child already dead is
// recorded all the same: it was listed before it was linked
// (rt.Announce), so its exit signal comes after, and handling it
// reports the exit as for any child.
func (d *dynamic) adopt() {
	taken := d.adoptions.take()
	for i, c := range taken {
		taken[i] = nil
		c.state = stateRunning
		d.children.put(c)
		if d.opts.hook != nil {
			d.emit(ChildStarted{Supervisor: d.self.PID(), ID: c.spec.ID, PID: c.pid})
		}
	}
}

// initChildren starts nothing: a dynamic supervisor boots empty.
func (d *dynamic) initChildren() error { return nil }

// findRunning returns the running child pid, or nil.
func (d *dynamic) findRunning(pid process.PID) *child {
	if c := d.table().get(pid); c != nil && c.state == stateRunning {
		return c
	}
	return nil
}

// findRetried returns the child m retries, by its old pid.
func (d *dynamic) findRetried(m tryAgain) *child { return d.table().get(m.pid) }

// setRestarting marks a dead child restarting under its old pid, as a
// failed restart does.
func (d *dynamic) setRestarting(c *child) {
	if c.state != stateRestarting {
		c.state = stateRestarting
		d.restarting++
	}
}

// delChild forgets a dead child: a dynamic supervisor keeps no spec.
func (d *dynamic) delChild(c *child) { d.children.remove(c.pid) }

// anySignificantRunning: per-spec dynamic children may mix significant
// and other children; only the significant ones keep the supervisor up.
func (d *dynamic) anySignificantRunning() bool {
	for _, c := range d.children.all() {
		if c.state != stateStopped && c.spec.Significant {
			return true
		}
	}
	return false
}

// runStart runs the template's start function with the child's extra
// arguments, or the child's own.
func (d *dynamic) runStart(c *child) (process.PID, error) {
	if d.template != nil {
		return d.template.Start(d.self.Proc, c.args...)
	}
	return c.spec.Start(d.self.Proc)
}

// childType is a child's type: the template's, or its own spec's under a
// per-spec (Elixir-style) supervisor.
func (d *dynamic) childType(c *child) ChildType {
	if d.template != nil {
		return d.template.Type
	}
	return c.spec.Type
}

// templateShutdown is the shutdown of a template supervisor's children.
func (d *dynamic) templateShutdown() Shutdown {
	return ChildSpec{Shutdown: d.template.Shutdown, Type: d.template.Type}.shutdown()
}

func (d *dynamic) templateSpec() ChildSpec {
	t := d.template
	return ChildSpec{Restart: t.Restart, Shutdown: t.Shutdown, Type: t.Type, Significant: t.Significant}
}

// terminateAll signals every child at once and waits for them together
// (OTP's terminate_dynamic_children). Each child gets its own shutdown:
// BrutalKill children are killed at once, the others get the shutdown
// signal and are killed when their own timeout expires; one timer serves
// all the deadlines (Elixir's DynamicSupervisor, whose children each have
// a spec, does the same). A TemporaryStarter's Start fails from the
// moment it begins, so no child is left behind.
//
// If the supervisor dies while it waits, it stops there, as shutdown does:
// the children still alive are neither killed nor reported.
func (d *dynamic) terminateAll() {
	if d.adoptions != nil {
		d.adoptions.close() // a Start from now on fails: none is left behind
	}
	tbl := d.table()
	if !d.alive() {
		return
	}
	pending := make([]dynStop, 0, tbl.len())
	now := time.Now()
	var tsd Shutdown
	if d.template != nil {
		tsd = d.templateShutdown()
	}
	for pid, c := range tbl.all() {
		if c.state != stateRunning {
			continue
		}
		sd := tsd
		if d.template == nil {
			sd = c.spec.shutdown()
		}
		if st, wait := d.signal(pid, c, sd, now); wait {
			pending = append(pending, st)
		}
	}
	if !d.awaitAll(pending) {
		return
	}
	// A child that died before it was unlinked left its Exit message.
	d.self.Flush(func(m process.Msg) bool { _, ok := m.(process.Exit); return ok })
	tbl.clear()
}

// signal unlinks the child pid and sends it its shutdown signal (Kill
// for BrutalKill). wait says whether it must be waited for, by the
// returned deadline.
func (d *dynamic) signal(pid process.PID, c *child, sd Shutdown, now time.Time) (st dynStop, wait bool) {
	// Unlink first, so the children's deaths put no Exit message in
	// this mailbox: 100,000 of them would have to be flushed again.
	d.self.Unlink(pid)
	if sd == BrutalKill {
		_ = d.self.Exit(pid, process.Kill)
	} else {
		_ = d.self.Exit(pid, process.Shutdown)
	}
	if sd == BrutalKill || !c.proc.Valid() || !c.proc.Alive() {
		return dynStop{}, false // dead already (a child that does not trap exits dies at once)
	}
	st = dynStop{t: c.proc}
	if sd != Infinity {
		st.deadline = now.Add(time.Duration(sd))
	}
	return st, true
}
