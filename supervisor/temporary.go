package supervisor

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// TemporarySpec describes the children a [TemporaryStarter] starts: all
// temporary workers with one id, one shutdown and one behaviour name.
type TemporarySpec struct {
	ID        string   // shown in events and error reports (WhichChildren leaves a dynamic child's ID empty, as OTP does)
	Shutdown  Shutdown // how the supervisor stops them (zero: 5 s)
	Behaviour string   // the children's process behaviour (rt.Behaviour); empty for none
}

// TemporaryStarter starts temporary children under one dynamic supervisor
// without a round trip to it per child. StartDynamicChild asks the
// supervisor to spawn the child and waits for its answer (OTP's
// start_child call); Start spawns the child itself, on the supervisor's
// behalf and linked to it, records it where the supervisor looks first
// whenever it handles anything (a request, an exit signal, its shutdown),
// and only then lets the child run. So the supervisor knows the child
// before it can see any exit signal of it or answer any later request,
// and counts, lists, reports and stops it as a child it started itself,
// without being woken for it. Package task starts its tasks this way.
//
// Only a per-spec dynamic supervisor without MaxChildren qualifies (a cap
// could not be enforced before the start): [NewTemporaryStarter] checks
// it once. A TemporaryStarter is safe for concurrent use.
type TemporaryStarter struct {
	node    *process.Node
	sup     process.PID
	spec    ChildSpec
	opts    []process.SpawnOption
	pending *adoptions
}

// adoptions are the children TemporaryStarters spawned that their
// supervisor has not recorded yet.
type adoptions struct {
	any      atomic.Bool // children is not empty: the supervisor's cheap check
	mu       sync.Mutex  // protects closed and children
	closed   bool        // the supervisor is terminating: it takes no more children
	children []*child
	taken    []*child // the supervisor's copy of the last take; owned by it
}

// add records c, unless the supervisor has stopped taking children (the
// starter then kills c's process: see TemporaryStarter.start).
func (a *adoptions) add(c *child) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		a.children = append(a.children, c)
		a.any.Store(true)
	}
}

// close makes every later add fail: the supervisor is terminating, and a
// child it would not take would outlive it.
func (a *adoptions) close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
}

// isClosed reports whether close was called.
func (a *adoptions) isClosed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closed
}

// take returns the pending children, oldest first, and empties the list.
// The slice is valid until the next take; both slices are reused, so a
// steady flow of children allocates nothing here.
func (a *adoptions) take() []*child {
	a.mu.Lock()
	a.taken = append(a.taken[:0], a.children...)
	clear(a.children)
	a.children = a.children[:0]
	a.any.Store(false)
	a.mu.Unlock()
	return a.taken
}

// NewTemporaryStarter checks that sup is a per-spec dynamic supervisor
// without MaxChildren (one call to it, bounded by ctx or one minute) and
// returns a starter for children described by spec. Otherwise it returns
// a *[SpecError] (or the call's error when sup is not there). A nil ctx or
// node, or the zero sup, is bad input ([ErrInvalidArgument]).
func NewTemporaryStarter(ctx context.Context, node *process.Node, sup process.PID, spec TemporarySpec) (*TemporaryStarter, error) {
	const op = "supervisor: NewTemporaryStarter"
	if node == nil {
		return nil, argerr.Nil(op, "node")
	}
	cs := ChildSpec{
		ID:    spec.ID,
		Start: func(*process.Proc) (process.PID, error) { return process.PID{}, errNotRestartable },
		// Restart and Type: Temporary workers.
		Restart:  Temporary,
		Shutdown: spec.Shutdown,
	}
	if err := cs.validate(Never); err != nil {
		return nil, err
	}
	pending, err := supCall[*adoptions](ctx, op, sup, temporaryStarterReq{})
	if err != nil {
		return nil, err
	}
	t := &TemporaryStarter{node: node, sup: sup, spec: cs, pending: pending}
	// announce records each child before it is linked, named or started:
	// the supervisor can see no exit of a child it does not know.
	t.opts = []process.SpawnOption{process.Linked(), rt.Announce(t.announce)}
	if spec.Behaviour != "" {
		t.opts = append(t.opts, rt.Behaviour(spec.Behaviour))
	}
	return t, nil
}

// announce records a child being spawned (rt.Announce). A child of a
// supervisor that is terminating is not recorded; start kills it.
func (t *TemporaryStarter) announce(p rt.Target) {
	t.pending.add(&child{spec: t.spec, pid: p.PID(), proc: p})
}

// errNotRestartable is what a TemporaryStarter's spec would answer if it
// were ever asked to start a child again; temporary children never are.
var errNotRestartable = &SpecError{Field: "Start", Reason: "a child of a TemporaryStarter is never restarted"}

// Start starts h (a process.Starter: its HandleStart runs first) as a
// temporary child of the supervisor and returns its PID without waiting
// for the supervisor or for HandleStart. It fails, with the child never
// run, when the supervisor is gone or terminating (a *process.NoProcError)
// or the node is stopping.
func (t *TemporaryStarter) Start(h process.Handler) (process.PID, error) {
	if err := t.check("supervisor: TemporaryStarter.Start", h); err != nil {
		return process.PID{}, err
	}
	return t.start(h, nil)
}

// StartLinked is [TemporaryStarter.Start] that also links the child to
// owner, the calling process, before the child runs (as spawn_link links
// its caller), so no exit of the child can escape owner. It must be
// called from owner's own code. It fails, with the child killed before it
// ran, if owner is no longer alive. A nil starter, h or owner is bad
// input ([ErrInvalidArgument]).
func (t *TemporaryStarter) StartLinked(h process.Handler, owner *process.Proc) (process.PID, error) {
	const op = "supervisor: TemporaryStarter.StartLinked"
	if err := t.check(op, h); err != nil {
		return process.PID{}, err
	}
	if owner == nil {
		return process.PID{}, argerr.Nil(op, "owner")
	}
	return t.start(h, owner)
}

// check refuses a nil starter (one not made by NewTemporaryStarter) and a
// nil handler.
func (t *TemporaryStarter) check(op string, h process.Handler) error {
	if t == nil || t.pending == nil {
		return argerr.Nil(op, "receiver")
	}
	if h == nil {
		return argerr.Nil(op, "h")
	}
	return nil
}

func (t *TemporaryStarter) start(h process.Handler, owner *process.Proc) (process.PID, error) {
	s, err := rt.SpawnSuspended(t.node, t.sup, h, t.opts...)
	if err != nil {
		return process.PID{}, err
	}
	pid := s.PID()
	if t.pending.isClosed() {
		// The supervisor is terminating: if it did not take this child
		// (announced after it closed its list), nobody would stop it.
		// Killed before it runs (Resume then only cleans up).
		_ = t.node.Exit(pid, process.Kill)
		s.Resume()
		return process.PID{}, &process.NoProcError{PID: t.sup, Reason: process.NoProc}
	}
	if owner != nil {
		if err := owner.Link(pid); err != nil {
			// The owner died: the child never runs, and the supervisor,
			// which knows it, handles its exit (shutdown: no report) as
			// any child's.
			_ = t.node.Exit(pid, process.Shutdown)
			s.Resume()
			return process.PID{}, err
		}
	}
	s.Resume()
	return pid, nil
}

// temporaryStarterReq asks a supervisor whether it can take children from
// a TemporaryStarter; the answer is its list of pending adoptions.
type temporaryStarterReq struct{}
