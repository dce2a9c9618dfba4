package supervisor

import (
	"errors"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// handleCall serves the admin API of a static supervisor; the requests
// of dynamic supervisors get the answers OTP's supervisor gives them.
func (st *static) handleCall(req any) (any, error) {
	switch r := req.(type) {
	case startChildReq:
		return st.startChild(r.c)
	case terminateChildReq:
		return struct{}{}, st.terminateChild(r.id)
	case restartChildReq:
		return st.restartChild(r.id)
	case deleteChildReq:
		return struct{}{}, st.deleteChild(r.id)
	case whichChildrenReq:
		return st.whichChildren(), nil
	case countChildrenReq:
		return st.countChildren(), nil
	case startTemplateReq:
		return nil, errNoTemplate()
	case terminatePIDReq:
		return struct{}{}, ErrNotFound
	case temporaryStarterReq:
		return nil, &SpecError{Field: "supervisor", Reason: "a TemporaryStarter needs a dynamic supervisor"}
	}
	return nil, unknownRequest()
}

// startChild is start_child on a static supervisor (OTP's
// handle_start_child).
func (st *static) startChild(c *child) (any, error) {
	spec := &c.spec
	if err := spec.validate(st.flags.AutoShutdown); err != nil {
		return nil, err
	}
	if old, ok := st.children[spec.ID]; ok {
		if old.state == stateRunning {
			return nil, &AlreadyStartedError{ID: spec.ID, PID: old.pid}
		}
		return nil, ErrAlreadyPresent
	}
	pid, ignored, err := st.startOne(c)
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
	st.children[spec.ID] = c
	st.ids = append(st.ids, spec.ID)
	if ignored {
		return process.PID{}, nil
	}
	st.setRunning(c, pid)
	if st.opts.hook != nil {
		st.emit(ChildStarted{Supervisor: st.self.PID(), ID: spec.ID, PID: pid})
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

// terminateChild is terminate_child(Sup, Id).
func (st *static) terminateChild(id string) error {
	c, ok := st.children[id]
	if !ok {
		return ErrNotFound
	}
	if c.state == stateRunning && !st.shutdown(c) {
		return nil // the supervisor died meanwhile: nobody hears of it
	}
	if c.spec.Restart == Temporary {
		st.removeChild(id)
	} else {
		st.setStopped(c) // also cancels a pending retry
	}
	return nil
}

// restartChild is restart_child: only a stopped child can be restarted.
func (st *static) restartChild(id string) (any, error) {
	c, ok := st.children[id]
	switch {
	case !ok:
		return nil, ErrNotFound
	case c.state == stateRestarting:
		return nil, ErrRestarting
	case c.state == stateRunning:
		return nil, ErrRunning
	}
	pid, ignored, err := st.startOne(c)
	switch {
	case err != nil:
		return nil, &StartChildError{ID: id, Reason: err}
	case ignored:
		return process.PID{}, nil
	}
	st.setRunning(c, pid)
	if st.opts.hook != nil {
		st.emit(ChildStarted{Supervisor: st.self.PID(), ID: id, PID: pid})
	}
	return pid, nil
}

// deleteChild is delete_child: only a stopped child's spec can go.
func (st *static) deleteChild(id string) error {
	c, ok := st.children[id]
	switch {
	case !ok:
		return ErrNotFound
	case c.state == stateRestarting:
		return ErrRestarting
	case c.state == stateRunning:
		return ErrRunning
	}
	st.removeChild(id)
	return nil
}

// whichChildren lists the children most recent first (OTP's order).
func (st *static) whichChildren() []Child {
	out := make([]Child, 0, len(st.ids))
	for i := len(st.ids) - 1; i >= 0; i-- {
		c := st.children[st.ids[i]]
		row := Child{ID: c.spec.ID, Status: statusOf(c), Type: c.spec.Type}
		if c.state == stateRunning {
			row.PID = c.pid // a restarting child keeps its dead pid internally
		}
		out = append(out, row)
	}
	return out
}

// countChildren is count_children. Active counts children alive now.
func (st *static) countChildren() Counts {
	var n Counts
	node := st.self.Node()
	for _, c := range st.children {
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
