package task

import (
	"sync"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// ChildSpec returns the spec of a permanent child id of a supervision
// tree that is a task supervisor started with opts (Elixir's
// {Task.Supervisor, opts} in a children list), so a tree declares it as
// data:
//
//	children := []supervisor.ChildSpec{
//		task.ChildSpec("tasks", task.WithName("tasks")),
//		...
//	}
//
// The tree starts it with [StartSupervisorLink]; [Lookup] returns the
// handle of the one running now, for [Async], [Start] and [Stream]. A
// restart makes a new task supervisor (its tasks died with the old one),
// which Lookup then returns. Bad input is reported when the spec is used
// (an empty id as the tree's *supervisor.SpecError).
func ChildSpec(id string, opts ...Option) supervisor.ChildSpec {
	return supervisor.ChildSpec{ID: id, Type: supervisor.SupervisorChild,
		Start: func(parent *process.Proc) (process.PID, error) {
			s, err := StartSupervisorLink(parent, opts...)
			if err != nil {
				return process.PID{}, err
			}
			if err := s.file(); err != nil {
				return process.PID{}, err // it died already: nothing to stop
			}
			return s.pid, nil
		}}
}

// Lookup returns the task supervisor that dest (its PID, or its name as
// given by [WithName]) names now, if a supervision tree started it from
// [ChildSpec]. It fails with the resolve error for a name that is not
// registered, a *process.NoProcError for one that is not such a task
// supervisor (or no longer runs), and an error matching ErrInvalidArgument
// (docs/ERRORS.md) for a nil dest or the zero PID.
func Lookup(dest process.Dest) (*Supervisor, error) {
	const op = "task: Lookup"
	if dest == nil {
		return nil, argerr.Nil(op, "dest")
	}
	if pid, ok := dest.(process.PID); ok && pid.IsZero() {
		return nil, argerr.New(op, "dest", "is the zero PID")
	}
	pid, err := dest.Resolve()
	if err != nil {
		return nil, err
	}
	t, err := rt.Lookup(pid)
	if err != nil {
		return nil, err
	}
	if s, ok := filedOf(t.Node()).get(pid); ok {
		return s, nil
	}
	return nil, &process.NoProcError{PID: pid, Reason: process.NoProc}
}

// filed are the task supervisors of a node that trees started from
// ChildSpec, by PID, each removed when its process exits.
type filed struct {
	mu   sync.Mutex // protects sups
	sups map[process.PID]*Supervisor
}

type filedKey struct{}

func filedOf(n *process.Node) *filed {
	return rt.Value(n, filedKey{}, func() any { return &filed{sups: make(map[process.PID]*Supervisor)} }).(*filed)
}

func (f *filed) get(pid process.PID) (*Supervisor, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sups[pid]
	return s, ok
}

// file makes s known to Lookup until its process exits.
func (s *Supervisor) file() error {
	f := filedOf(s.node)
	f.mu.Lock()
	f.sups[s.pid] = s
	f.mu.Unlock()
	_, err := rt.OnExit(s.node, s.pid, func(pid process.PID, _ error) {
		f.mu.Lock()
		delete(f.sups, pid)
		f.mu.Unlock()
	})
	if err != nil {
		f.mu.Lock()
		delete(f.sups, s.pid)
		f.mu.Unlock()
	}
	return err
}
