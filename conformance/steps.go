package conformance

import (
	"errors"
	"fmt"
	"strings"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// result is a step's result event: result OP TARGET V.
type result struct{ op, target, value string }

// step runs one step's action (not its settling).
func (r *runner) step(st Step) (*result, error) {
	switch st.Action {
	case ActionCrash:
		return nil, r.crash(st.Path, st.Reason)
	case ActionSleep:
		return nil, r.clock.Sleep(r.ctx, ms(st.SleepMS))
	case ActionStop:
		return nil, r.stop(st.Path)
	case ActionWhichChildren:
		return r.query(st.Action, st.Path, func(sup process.PID) (Term, error) {
			cs, err := supervisor.WhichChildren(r.ctx, sup)
			if err != nil {
				return nil, err
			}
			if r.isDynamic(st.Path) {
				return whichChildrenDynamic(cs, r.nameOf), nil
			}
			return whichChildrenStatic(cs), nil
		})
	case ActionCountChildren:
		return r.query(st.Action, st.Path, func(sup process.PID) (Term, error) {
			c, err := supervisor.CountChildren(r.ctx, sup)
			if err != nil {
				return nil, err
			}
			return countChildren(c), nil
		})
	case ActionTerminateChild, ActionRestartChild, ActionDeleteChild:
		return r.childOp(st.Action, st.Path)
	case ActionStartChild:
		return r.startChild(st.StartChild)
	}
	return nil, fmt.Errorf("unknown action %q", st.Action)
}

// query calls the supervisor at supPath, if it is alive, and renders the
// answer; a supervisor that is not running answers noproc. call returns
// the answer's term, or an error when the call itself failed.
func (r *runner) query(op, supPath string, call func(sup process.PID) (Term, error)) (*result, error) {
	v := "noproc"
	if pid, _, ok := r.live(supPath); ok {
		t, err := call(pid)
		switch {
		case isNoProc(err):
		case err != nil:
			return nil, fmt.Errorf("supervisor %s: %w", supPath, err)
		default:
			v = Render(t)
		}
	}
	return &result{op: op, target: supPath, value: v}, nil
}

// isDynamic reports whether the supervisor at path is simple_one_for_one
// or dynamic.
func (r *runner) isDynamic(path string) bool {
	t, ok := r.sups[path]
	return ok && t.isDynamic()
}

// crash makes the process at path terminate and waits for its death.
func (r *runner) crash(path string, reason Term) error {
	pid, kind, ok := r.live(path)
	if !ok {
		return fmt.Errorf("no live process at %s", path)
	}
	t, err := rt.LookupOn(r.node, pid)
	if err != nil {
		return nil // it died meanwhile: that is the outcome the step waits for
	}
	rsn := ExitReason(reason)
	switch {
	case errors.Is(rsn, process.Kill):
		_ = r.node.Exit(pid, process.Kill)
	case kind == kindWorker:
		if err := genserver.Cast(pid, crashCmd{reason: rsn}); err != nil {
			return err
		}
	default:
		// An orderly stop, as gen_server:stop(Pid, Reason, infinity).
		_ = supervisor.Stop(pid, rsn, stopTimeout)
	}
	select {
	case <-t.Done():
		return nil
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

// stop stops the supervisor at path with reason shutdown, if it is alive,
// and waits for it to exit.
func (r *runner) stop(path string) error {
	pid, _, ok := r.live(path)
	if !ok {
		return nil
	}
	err := supervisor.Stop(pid, process.Shutdown, stopTimeout)
	var ce *genserver.CallError
	if errors.As(err, &ce) && errors.Is(ce.Reason, genserver.ErrTimeout) {
		return err
	}
	return nil
}

// childOp runs terminate_child, restart_child or delete_child on path.
func (r *runner) childOp(op, path string) (*result, error) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return nil, fmt.Errorf("%s: %q is not a child path", op, path)
	}
	supPath, id := path[:i], path[i+1:]
	dynamic := r.isDynamic(supPath)
	res, err := r.query(op, supPath, func(sup process.PID) (Term, error) {
		switch {
		case op == ActionTerminateChild && dynamic:
			child, ok := r.lookup(path)
			if !ok {
				return nil, fmt.Errorf("unknown dynamic child %s", path)
			}
			err := supervisor.TerminateChildPID(r.ctx, sup, child)
			return okResult(err), callFailure(err)
		case op == ActionTerminateChild:
			err := supervisor.TerminateChild(r.ctx, sup, id)
			return okResult(err), callFailure(err)
		case op == ActionRestartChild:
			pid, err := supervisor.RestartChild(r.ctx, sup, id)
			return restartChildResult(pid, err), callFailure(err)
		default:
			err := supervisor.DeleteChild(r.ctx, sup, id)
			return okResult(err), callFailure(err)
		}
	})
	if res != nil {
		res.target = path
	}
	return res, err
}

// callFailure returns err if the call itself failed (the supervisor is
// gone or did not answer), nil if err is the API's answer.
func callFailure(err error) error {
	var ce *genserver.CallError
	if errors.As(err, &ce) {
		return err
	}
	return nil
}

// startChild runs a start_child step on a static, simple_one_for_one or
// dynamic supervisor.
func (r *runner) startChild(a *StartChild) (*result, error) {
	t, ok := r.sups[a.Sup]
	if !ok {
		return nil, fmt.Errorf("unknown supervisor %s", a.Sup)
	}
	var target string
	var call func(sup process.PID) (Term, error)
	switch t.StrategyName() {
	case SimpleOneForOne:
		if a.Name == "" {
			return nil, fmt.Errorf("start_child on simple_one_for_one %s needs a name", a.Sup)
		}
		var over Behavior
		if a.Args != nil {
			over = *a.Args
		}
		target = a.Sup + "/" + a.Name
		call = func(sup process.PID) (Term, error) {
			pid, err := supervisor.StartTemplateChild(r.ctx, sup, a.Name, over)
			return startChildResult(false, pid, err), callFailure(err)
		}
	case Dynamic:
		if a.Spec == nil || a.Spec.TypeName() != "worker" {
			return nil, fmt.Errorf("start_child on dynamic %s needs a worker spec", a.Sup)
		}
		spec := r.childSpec(a.Sup, a.Spec)
		target = a.Sup + "/" + a.Spec.ID
		call = func(sup process.PID) (Term, error) {
			pid, err := supervisor.StartDynamicChild(r.ctx, sup, spec)
			return startChildResult(false, pid, err), callFailure(err)
		}
	default:
		if a.Spec == nil {
			return nil, fmt.Errorf("start_child on %s needs a spec", a.Sup)
		}
		if a.Spec.TypeName() == "supervisor" && a.Spec.Tree != nil {
			indexSups(a.Spec.Tree, a.Sup+"/"+a.Spec.ID, r.sups)
		}
		spec := r.childSpec(a.Sup, a.Spec)
		target = a.Sup + "/" + a.Spec.ID
		call = func(sup process.PID) (Term, error) {
			pid, err := supervisor.StartChild(r.ctx, sup, spec)
			return startChildResult(true, pid, err), callFailure(err)
		}
	}
	res, err := r.query(ActionStartChild, a.Sup, call)
	if res != nil {
		res.target = target
	}
	return res, err
}
