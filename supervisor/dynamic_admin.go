package supervisor

import (
	"sort"

	"github.com/seed-fe72f376/orchard/process"
)

// handleCall serves the admin API of a dynamic supervisor; the id-based
// requests of static supervisors get OTP's simple_one_for_one answer.
// The children TemporaryStarters queued are filed first (table).
func (d *dynamic) handleCall(req any) (any, error) {
	d.table()
	switch r := req.(type) {
	case startChildReq:
		return d.startSpecChild(r.c)
	case startTemplateReq:
		return d.startTemplateChild(r.args)
	case terminatePIDReq:
		return struct{}{}, d.terminateChild(r.pid)
	case whichChildrenReq:
		return d.whichChildren(), nil
	case countChildrenReq:
		return d.countChildren(), nil
	case temporaryStarterReq:
		return d.startAdopting()
	case terminateChildReq:
		return struct{}{}, ErrSimpleOneForOne
	case restartChildReq:
		return nil, ErrSimpleOneForOne
	case deleteChildReq:
		return struct{}{}, ErrSimpleOneForOne
	}
	return nil, unknownRequest()
}

// errNoTemplate answers StartTemplateChild on a supervisor without a
// template.
func errNoTemplate() error {
	return &SpecError{Field: "args", Reason: "this supervisor has no template: use StartDynamicChild"}
}

// startSpecChild is DynamicSupervisor.start_child with a full spec.
func (d *dynamic) startSpecChild(c *child) (any, error) {
	if d.template != nil {
		return nil, &SpecError{Field: "spec", Reason: "this supervisor has a template: use StartTemplateChild"}
	}
	if err := c.spec.validate(d.flags.AutoShutdown); err != nil {
		return nil, err
	}
	return d.startChild(c)
}

// startTemplateChild is start_child(Sup, ExtraArgs) on simple_one_for_one.
func (d *dynamic) startTemplateChild(args []any) (any, error) {
	if d.template == nil {
		return nil, errNoTemplate()
	}
	if args == nil {
		args = []any{}
	}
	return d.startChild(&child{spec: d.templateSpec(), args: args})
}

// startChild starts c and files it under its PID.
func (d *dynamic) startChild(c *child) (any, error) {
	if d.maxChildren > 0 && d.children.len() >= d.maxChildren {
		return nil, ErrMaxChildren
	}
	pid, ignored, err := d.startOne(c)
	switch {
	case err != nil:
		return nil, err
	case ignored:
		return process.PID{}, nil
	}
	if c.spec.Restart == Temporary {
		c.args = nil // never restarted: keep nothing (as OTP does)
	}
	d.track(c, pid)
	d.children.put(c)
	if d.opts.hook != nil {
		d.emit(ChildStarted{Supervisor: d.self.PID(), ID: c.spec.ID, PID: pid})
	}
	return pid, nil
}

// terminateChild is terminate_child(Sup, Pid).
func (d *dynamic) terminateChild(pid process.PID) error {
	c := d.children.get(pid)
	if c == nil {
		if d.template != nil && !d.self.Node().IsAlive(pid) {
			return nil // OTP: a dead pid is ok for simple_one_for_one
		}
		return ErrNotFound
	}
	if c.state == stateRunning && !d.shutdown(c) {
		return nil // the supervisor died meanwhile: nobody hears of it
	}
	if c.state == stateRestarting && d.template == nil {
		// OTP's simple_one_for_one does not decrement its restarting
		// count here (its del_child only erases the entry), so its
		// count_children reports one active child fewer from then on;
		// with a template we keep that, as the conformance traces do.
		// Elixir's DynamicSupervisor (no template) counts right.
		d.restarting--
	}
	d.children.remove(pid)
	return nil
}

// whichChildren lists the children in PID order.
func (d *dynamic) whichChildren() []Child {
	out := make([]Child, 0, d.children.len())
	for _, c := range d.children.all() {
		row := Child{Status: statusOf(c), Type: d.childType(c)}
		if c.state == stateRunning {
			row.PID = c.pid
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID.ID() < out[j].PID.ID() })
	return out
}

// countChildren is count_children; a template supervisor has one spec.
func (d *dynamic) countChildren() Counts {
	size := d.children.len()
	n := Counts{Specs: size, Active: size - d.restarting}
	if d.template != nil { // one spec and one type for all: O(1)
		n.Specs = 1
		if d.template.Type == SupervisorChild {
			n.Supervisors = size
		} else {
			n.Workers = size
		}
		return n
	}
	for _, c := range d.children.all() {
		if c.spec.Type == SupervisorChild {
			n.Supervisors++
		} else {
			n.Workers++
		}
	}
	return n
}

// startAdopting answers a temporaryStarterReq: the queue a
// TemporaryStarter files its children in (temporary.go).
func (d *dynamic) startAdopting() (*adoptions, error) {
	switch {
	case d.template != nil:
		return nil, &SpecError{Field: "supervisor", Reason: "a TemporaryStarter needs a per-spec dynamic supervisor, not a template"}
	case d.maxChildren > 0:
		return nil, &SpecError{Field: "supervisor", Reason: "a TemporaryStarter cannot enforce MaxChildren"}
	}
	if d.adoptions == nil {
		d.adoptions = &adoptions{}
	}
	return d.adoptions, nil
}
