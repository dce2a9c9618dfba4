package supervisor

import (
	"errors"
	"sort"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// startChild is start_child on a static supervisor (OTP's
// handle_start_child).
func (s *sup) startChild(c *child) (any, error) {
	spec := &c.spec
	if err := spec.validate(s.flags.AutoShutdown); err != nil {
		return nil, err
	}
	if old, ok := s.children[spec.ID]; ok {
		if old.state == stateRunning {
			return nil, &AlreadyStartedError{ID: spec.ID, PID: old.pid}
		}
		return nil, ErrAlreadyPresent
	}
	pid, ignored, err := s.startOne(c)
	switch {
	case err != nil:
		var as *AlreadyStartedError
		if asAlreadyStarted(err, &as) {
			return nil, as
		}
		return nil, &StartChildError{ID: spec.ID, Reason: err}
	case ignored && spec.Restart == Temporary:
		return process.PID{}, nil
	}
	s.children[spec.ID] = c
	s.ids = append(s.ids, spec.ID)
	if ignored {
		return process.PID{}, nil
	}
	s.setRunning(c, pid)
	if s.opts.hook != nil {
		s.emit(ChildStarted{Supervisor: s.self.PID(), ID: spec.ID, PID: pid})
	}
	return pid, nil
}

// asAlreadyStarted passes a start function's already-started result
// through, as OTP passes {error, {already_started, Pid}}.
func asAlreadyStarted(err error, target **AlreadyStartedError) bool {
	var gs *genserver.AlreadyStartedError
	if errors.As(err, &gs) {
		*target = &AlreadyStartedError{ID: gs.Name, PID: gs.PID}
		return true
	}
	return errors.As(err, target)
}

// restartChild is restart_child: only a stopped child can be restarted.
func (s *sup) restartChild(id string) (any, error) {
	if s.dynamic {
		return nil, ErrSimpleOneForOne
	}
	c, ok := s.children[id]
	switch {
	case !ok:
		return nil, ErrNotFound
	case c.state == stateRestarting:
		return nil, ErrRestarting
	case c.state == stateRunning:
		return nil, ErrRunning
	}
	pid, ignored, err := s.startOne(c)
	switch {
	case err != nil:
		return nil, &StartChildError{ID: id, Reason: err}
	case ignored:
		return process.PID{}, nil
	}
	s.setRunning(c, pid)
	if s.opts.hook != nil {
		s.emit(ChildStarted{Supervisor: s.self.PID(), ID: id, PID: pid})
	}
	return pid, nil
}

// deleteChild is delete_child: only a stopped child's spec can go.
func (s *sup) deleteChild(id string) error {
	if s.dynamic {
		return ErrSimpleOneForOne
	}
	c, ok := s.children[id]
	switch {
	case !ok:
		return ErrNotFound
	case c.state == stateRestarting:
		return ErrRestarting
	case c.state == stateRunning:
		return ErrRunning
	}
	s.removeChild(id)
	return nil
}

// whichChildren lists static children most recent first (OTP's order);
// dynamic children in PID order.
func (s *sup) whichChildren() []Child {
	if s.dynamic {
		return s.whichDynamic()
	}
	out := make([]Child, 0, len(s.ids))
	for i := len(s.ids) - 1; i >= 0; i-- {
		c := s.children[s.ids[i]]
		row := Child{ID: c.spec.ID, Status: statusOf(c), Type: c.spec.Type}
		if c.state == stateRunning {
			row.PID = c.pid // a restarting child keeps its dead pid internally
		}
		out = append(out, row)
	}
	return out
}

func (s *sup) whichDynamic() []Child {
	out := make([]Child, 0, s.dyn.len())
	for _, c := range s.dyn.all() {
		row := Child{Status: statusOf(c), Type: s.childType(c)}
		if c.state == stateRunning {
			row.PID = c.pid
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID.ID() < out[j].PID.ID() })
	return out
}

func statusOf(c *child) ChildStatus {
	switch c.state {
	case stateRunning:
		return Running
	case stateRestarting:
		return Restarting
	}
	return Stopped
}

// countChildren is count_children. Active counts children alive now.
func (s *sup) countChildren() Counts {
	var n Counts
	if s.dynamic {
		return s.countDynamic()
	}
	node := s.self.Node()
	for _, c := range s.children {
		n.Specs++
		if c.state == stateRunning && node.IsAlive(c.pid) {
			n.Active++
		}
		if c.spec.Type == SupervisorChild {
			n.Supervisors++
		} else {
			n.Workers++
		}
	}
	return n
}

func (s *sup) countDynamic() Counts {
	size := s.dyn.len()
	n := Counts{Specs: size, Active: size - s.dynRestarts}
	if s.template != nil {
		n.Specs = 1
	}
	if s.template != nil { // one type for all: O(1)
		if s.template.Type == SupervisorChild {
			n.Supervisors = size
		} else {
			n.Workers = size
		}
		return n
	}
	for _, c := range s.dyn.all() {
		if c.spec.Type == SupervisorChild {
			n.Supervisors++
		} else {
			n.Workers++
		}
	}
	return n
}
