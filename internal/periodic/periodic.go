package periodic

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Spec describes a periodic process.
type Spec struct {
	// Behaviour labels the process ("ratelimit.janitor").
	Behaviour string
	// Every is the time between runs; the first run is one interval
	// after the start. It must be positive (the callers validate it).
	Every time.Duration
	// Work is the periodic work. It runs in the process.
	Work func()
}

// tick is the process's timer message.
type tick struct{}

// Spawn starts the process spec describes: linked to parent when parent
// is not nil, else as a root process of node. It does not wait for the
// first run.
func Spawn(node *process.Node, parent *process.Proc, spec Spec) (process.PID, error) {
	opt := rt.Behaviour(spec.Behaviour)
	if parent != nil {
		return parent.Spawn(spec.run, opt, process.Linked())
	}
	return node.Spawn(spec.run, opt)
}

// run is the process body: Work every Every, on a timer the process owns
// (so it dies with it), until the process's context ends. Other messages
// are dropped.
func (s Spec) run(p *process.Proc) error {
	for {
		if _, err := p.SendAfter(p.PID(), tick{}, s.Every); err != nil {
			return err
		}
		if err := awaitTick(p); err != nil {
			return nil // stopped
		}
		s.Work()
	}
}

// awaitTick receives until the next tick, or the process's end.
func awaitTick(p *process.Proc) error {
	for {
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		if _, ok := msg.(tick); ok {
			return nil
		}
	}
}

// Slot holds the one periodic process an owner allows at a time (a
// Limiter's janitor, a Manager's leak check). It is not safe for
// concurrent use: its owner guards it with its own lock.
type Slot struct {
	t rt.Target // the last process started; zero if none
}

// Start starts spec's process as [Spawn] does, unless the slot's last
// process is still alive: then it starts nothing and returns that
// process's PID with running true. A process that died at once is an
// error (the node's lookup error), and the slot keeps its former value.
func (s *Slot) Start(node *process.Node, parent *process.Proc, spec Spec) (pid process.PID, running bool, err error) {
	if s.t.Valid() && s.t.Alive() {
		return s.t.PID(), true, nil
	}
	pid, err = Spawn(node, parent, spec)
	if err != nil {
		return process.PID{}, false, err
	}
	t, err := rt.LookupOn(node, pid)
	if err != nil {
		return process.PID{}, false, err // died at once
	}
	s.t = t
	return pid, false, nil
}

// Last returns the slot's last process, alive or not; the zero Target if
// none was started.
func (s *Slot) Last() rt.Target { return s.t }
