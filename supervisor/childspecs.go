package supervisor

import (
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// Child-spec helpers let a tree be declared as data, as Elixir's
// `children = [...]` is: each returns a [ChildSpec] whose Start starts the
// child linked to its supervisor, so no closure needs writing. A literal
// ChildSpec with its own Start stays available for anything else.
//
// They live here, not in package genserver, because the supervisor
// imports genserver: genserver cannot name ChildSpec without an import
// cycle. Other behaviours above the supervisor offer theirs in their own
// package (task.ChildSpec; ratelimit and monitors have a ChildSpec method).

// GenServer returns the spec of a permanent worker id running a genserver
// whose state starts as a copy of state: every start, restarts included,
// copies state and starts the copy with genserver.StartLink and opts (for
// example genserver.WithName or genserver.WithVia). So a restarted server
// begins from state again, as an OTP server begins from its init
// arguments. The copy is shallow: put the start arguments in state and
// let Init build what the server mutates (maps, slices, connections).
//
// S is the state's type, whose pointer is the server (the usual
// genserver with pointer methods); the compiler infers both from state:
//
//	supervisor.GenServer("cache", cache{size: 100}) // runs a *cache
//
// Bad input (an empty id, a nil option) is reported when the spec is used:
// an empty id by the supervisor's validation (*SpecError), a bad option
// by the start (*StartChildError).
func GenServer[S any, P interface {
	*S
	genserver.Server
}](id string, state S, opts ...genserver.StartOption) ChildSpec {
	return ChildSpec{ID: id, Start: func(parent *process.Proc) (process.PID, error) {
		s := state
		return genserver.StartLink(parent, P(&s), opts...)
	}}
}

// Subtree returns the spec of a permanent child id that is itself a
// static supervisor started from spec and opts ([StartLink]); its
// Shutdown defaults to Infinity, so the subtree stops in its own order.
func Subtree(id string, spec Spec, opts ...Option) ChildSpec {
	return ChildSpec{ID: id, Type: SupervisorChild, Start: func(parent *process.Proc) (process.PID, error) {
		return StartLink(parent, spec, opts...)
	}}
}

// DynamicSubtree returns the spec of a permanent child id that is a
// dynamic supervisor started from spec and opts ([StartDynamicLink]).
// Name it ([WithName]) to reach it across its restarts:
//
//	supervisor.DynamicSubtree("sessions", supervisor.DynamicSpec{}, supervisor.WithName("sessions"))
//	...
//	supervisor.StartDynamicChild(ctx, node.Name("sessions"), spec)
func DynamicSubtree(id string, spec DynamicSpec, opts ...Option) ChildSpec {
	return ChildSpec{ID: id, Type: SupervisorChild, Start: func(parent *process.Proc) (process.PID, error) {
		return StartDynamicLink(parent, spec, opts...)
	}}
}

// WithRestart returns a copy of c with restart type r, as Elixir's
// Supervisor.child_spec(spec, restart: r):
//
//	supervisor.GenServer("job", job{}).WithRestart(supervisor.Transient)
func (c ChildSpec) WithRestart(r Restart) ChildSpec {
	c.Restart = r
	return c
}

// WithShutdown returns a copy of c with shutdown s (a timeout,
// [BrutalKill] or [Infinity]).
func (c ChildSpec) WithShutdown(s Shutdown) ChildSpec {
	c.Shutdown = s
	return c
}
