package supervisor

import (
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

func (d DynamicSpec) validate() error {
	if err := d.Flags.validate(); err != nil {
		return err
	}
	if d.Strategy != OneForOne {
		return &SpecError{Field: "Strategy", Reason: "a dynamic supervisor is one_for_one"}
	}
	if d.MaxChildren < 0 {
		return &SpecError{Field: "MaxChildren", Reason: "negative"}
	}
	if t := d.Template; t != nil {
		spec := ChildSpec{ID: "template", Start: func(*process.Proc) (process.PID, error) { return process.PID{}, nil },
			Restart: t.Restart, Shutdown: t.Shutdown, Type: t.Type, Significant: t.Significant}
		if t.Start == nil {
			return &SpecError{Child: "template", Field: "Start", Reason: "missing start function"}
		}
		return spec.validate(d.AutoShutdown)
	}
	return nil
}

// childType is a dynamic child's type: the template's, or its own spec's
// under a per-spec (Elixir-style) supervisor.
func (s *sup) childType(c *child) ChildType {
	if s.template != nil {
		return s.template.Type
	}
	return c.spec.Type
}

// dynShutdown is the shutdown of a template supervisor's children.
func (s *sup) dynShutdown() Shutdown {
	return ChildSpec{Shutdown: s.template.Shutdown, Type: s.template.Type}.shutdown()
}

func (s *sup) templateSpec() ChildSpec {
	t := s.template
	return ChildSpec{Restart: t.Restart, Shutdown: t.Shutdown, Type: t.Type, Significant: t.Significant}
}

// startDynamicChild is DynamicSupervisor.start_child with a full spec.
func (s *sup) startDynamicChild(c *child) (any, error) {
	if s.template != nil {
		return nil, &SpecError{Field: "spec", Reason: "this supervisor has a template: use StartTemplateChild"}
	}
	if err := c.spec.validate(s.flags.AutoShutdown); err != nil {
		return nil, err
	}
	return s.startDyn(c)
}

// startTemplateChild is start_child(Sup, ExtraArgs) on simple_one_for_one.
func (s *sup) startTemplateChild(args []any) (any, error) {
	if s.template == nil {
		return nil, &SpecError{Field: "args", Reason: "this supervisor has no template: use StartDynamicChild"}
	}
	if args == nil {
		args = []any{}
	}
	return s.startDyn(&child{spec: s.templateSpec(), args: args})
}

func (s *sup) startDyn(c *child) (any, error) {
	if s.maxChildren > 0 && s.dyn.len() >= s.maxChildren {
		return nil, ErrMaxChildren
	}
	pid, ignored, err := s.startOne(c)
	switch {
	case err != nil:
		return nil, err
	case ignored:
		return process.PID{}, nil
	}
	if c.spec.Restart == Temporary {
		c.args = nil // never restarted: keep nothing (as OTP does)
	}
	s.track(c, pid)
	s.dyn.put(c)
	if s.opts.hook != nil {
		s.emit(ChildStarted{Supervisor: s.self.PID(), ID: c.spec.ID, PID: pid})
	}
	return pid, nil
}

// terminateChildByPID is terminate_child(Sup, Pid) on a dynamic
// supervisor.
func (s *sup) terminateChildByPID(pid process.PID) error {
	if !s.dynamic {
		return ErrNotFound
	}
	c := s.dyn.get(pid)
	if c == nil {
		if s.template != nil && !s.self.Node().IsAlive(pid) {
			return nil // OTP: a dead pid is ok for simple_one_for_one
		}
		return ErrNotFound
	}
	if c.state == stateRunning && !s.shutdown(c) {
		return nil // the supervisor died meanwhile: nobody hears of it
	}
	if c.state == stateRestarting && s.template == nil {
		// OTP's simple_one_for_one does not decrement its restarting
		// count here (its del_child only erases the entry), so its
		// count_children reports one active child fewer from then on;
		// with a template we keep that, as the conformance traces do.
		// Elixir's DynamicSupervisor (no template) counts right.
		s.dynRestarts--
	}
	s.dyn.remove(pid)
	return nil
}

// restartDynamic restarts a dynamic child; a failure keeps it under its
// old pid as restarting and asks for a retry.
func (s *sup) restartDynamic(c *child) *tryAgain {
	old := c.pid
	if c.state == stateRestarting {
		s.dynRestarts--
	}
	s.dyn.remove(old)
	pid, ignored, err := s.startOne(c)
	switch {
	case err != nil:
		c.state = stateRestarting
		s.dynRestarts++
		s.dyn.put(c)
		return &tryAgain{pid: old}
	case ignored:
		if s.template != nil {
			// OTP's simple_one_for_one keeps an ignored restart in its
			// children under the pid undefined (which_children shows
			// {undefined, undefined, worker}); several collapse into one.
			c.pid, c.state, c.proc = process.PID{}, stateStopped, rt.Target{}
			s.dyn.put(c)
		}
		return nil
	}
	s.track(c, pid)
	s.dyn.put(c)
	if s.opts.hook != nil {
		s.emit(ChildStarted{Supervisor: s.self.PID(), ID: c.spec.ID, PID: pid, Restart: true})
	}
	return nil
}
