package rt

import "github.com/seed-fe72f376/orchard/process"

// startInline is StartInline's option, made once.
var startInline = impl.StartInline()

// StartInline makes the spawning goroutine run the new handler's
// HandleStart (and any message that reaches it meanwhile) before the
// spawn returns, instead of handing the process to a pooled worker. It
// saves two goroutine switches per start, which matters when a supervisor
// starts many children; the price is that a HandleStart that blocks
// blocks the spawner, with no timeout (as an OTP start_link waits, by
// default, forever). Only for SpawnHandler with a [process.Starter]; a
// spawn that uses it otherwise fails with an error matching
// process.ErrInvalidOption (a *process.ArgumentError).
func StartInline() process.SpawnOption { return startInline }

// Behaviour labels the new process with the behaviour it runs (for
// example "genserver"): process.Node.Info, zombie reports, the node's
// lifecycle events (Spawned.Behaviour) and, with process.Config's
// ProcessLabels, the orchard.behaviour pprof label show it. Behaviours
// and services label their processes this way; the option is a plain
// value, so make it once (in a variable) when the name is fixed. An
// empty name gives an option the spawn refuses with an error matching
// process.ErrInvalidOption (a *process.ArgumentError).
func Behaviour(name string) process.SpawnOption { return impl.Behaviour(name) }

// Announce calls fn with the new process before anyone else can know of
// it: before it has a name, links or monitors, so before it can be
// signalled or exit. A parent that is told of its children through fn (a
// list it reads before handling anything) can thus never see the exit of
// a child it was not told of. fn runs on the spawning goroutine and must
// not block; if the spawn then fails, the process never runs. Make the
// option once (in a field) and reuse it, to keep spawns free of
// allocations. A nil fn gives an option the spawn refuses with an error
// matching process.ErrInvalidOption (a *process.ArgumentError).
func Announce(fn func(Target)) process.SpawnOption {
	if fn == nil {
		return impl.Announce(nil)
	}
	return impl.Announce(func(p *process.Proc) { fn(Target{p: p}) })
}

// SpawnSuspended starts a message-driven child of the live process
// parent on its behalf, from any goroutine: the child's Parent is parent,
// and with [process.Linked] the two are linked before SpawnSuspended
// returns. The child exists (it has its PID, links and name, and can be
// signalled) but its HandleStart does not run until [Suspended.Resume].
// With [Announce], the caller tells parent about the child (in a list
// parent reads before handling anything) before the child can be
// signalled or exit, and lets it run only then, without waiting for
// parent: parent never sees the exit of a child it was not told of. h
// must be a [process.Starter]; [StartInline] is refused. Package
// supervisor starts temporary children this way
// (supervisor.TemporaryStarter).
//
// A nil n, an h without HandleStart or an invalid option is an error
// matching process.ErrInvalidArgument; a stopped node is
// process.ErrNodeStopped; a dead parent a *process.NoProcError.
func SpawnSuspended(n *process.Node, parent process.PID, h process.Handler, opts ...process.SpawnOption) (Suspended, error) {
	p, err := impl.SpawnSuspended(n, parent, h, opts)
	if err != nil {
		return Suspended{}, err
	}
	return Suspended{p: p}, nil
}

// Suspended is a process made by [SpawnSuspended] that has not run yet.
// Its zero value is no process.
type Suspended struct{ p *process.Proc }

// PID returns the process's PID (zero for the zero Suspended).
func (s Suspended) PID() process.PID { return s.p.PID() }

// Target returns the process as a [Target], which stays usable after it
// dies (no lookup, unlike [LookupOn]).
func (s Suspended) Target() Target { return Target(s) }

// Resume lets the process run its HandleStart. Only the first call does
// anything. A process that died while suspended (an exit signal through a
// link) never runs, and was never counted as a zombie. Resume on the zero
// Suspended does nothing. Safe from any goroutine.
func (s Suspended) Resume() { impl.Resume(s.p) }
