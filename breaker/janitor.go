package breaker

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Janitor settings for [Set.StartJanitor]: every Every it runs
// [Set.Sweep] with IdleFor.
type Janitor struct {
	// Every is the time between sweeps; it must be positive.
	Every time.Duration
	// IdleFor is how long a closed breaker must have been unused to be
	// forgotten; it must be positive.
	IdleFor time.Duration
}

func (j Janitor) validate(op string) error {
	if j.Every <= 0 {
		return invalidSettings(op, "j.Every", fmt.Sprintf("must be positive, got %v", j.Every))
	}
	if j.IdleFor <= 0 {
		return invalidSettings(op, "j.IdleFor", fmt.Sprintf("must be positive, got %v", j.IdleFor))
	}
	return nil
}

// sweepTick is the janitor's timer message.
type sweepTick struct{}

// StartJanitor starts a process on node that sweeps the set as j says,
// on a timer it owns, until it is stopped (with the node, or an exit
// signal to the PID returned). Bad settings, a nil node or a nil Set give
// an error matching [ErrInvalidSettings] and [ErrInvalidArgument]; a
// stopped node gives process.ErrNodeStopped. The breakers live in the
// Set, not in the process: any number of janitors (or none) may run.
func (s *Set) StartJanitor(node *process.Node, j Janitor) (process.PID, error) {
	const op = "breaker: Set.StartJanitor"
	switch {
	case !s.usable():
		return process.PID{}, invalidSettings(op, "receiver", "is nil")
	case node == nil:
		return process.PID{}, invalidSettings(op, "node", "is nil")
	}
	if err := j.validate(op); err != nil {
		return process.PID{}, err
	}
	if node.Stopped() {
		return process.PID{}, process.ErrNodeStopped
	}
	return node.Spawn(s.janitor(j), process.WithBehaviour("breaker.janitor"))
}

// StartJanitorLink starts the janitor linked to parent, for a supervisor
// (see [Set.JanitorSpec]). It fails as StartJanitor does.
func (s *Set) StartJanitorLink(parent *process.Proc, j Janitor) (process.PID, error) {
	const op = "breaker: Set.StartJanitorLink"
	switch {
	case !s.usable():
		return process.PID{}, invalidSettings(op, "receiver", "is nil")
	case parent == nil:
		return process.PID{}, invalidSettings(op, "parent", "is nil")
	}
	if err := j.validate(op); err != nil {
		return process.PID{}, err
	}
	if parent.Node().Stopped() {
		return process.PID{}, process.ErrNodeStopped
	}
	return parent.SpawnLink(s.janitor(j), process.WithBehaviour("breaker.janitor"))
}

// JanitorSpec returns a permanent worker child spec with id that runs
// [Set.StartJanitorLink] with j.
func (s *Set) JanitorSpec(id string, j Janitor) supervisor.ChildSpec {
	start := func(parent *process.Proc) (process.PID, error) { return s.StartJanitorLink(parent, j) }
	return supervisor.ChildSpec{ID: id, Start: start, Restart: supervisor.Permanent, Type: supervisor.Worker}
}

// janitor returns the janitor process's body: a sweep every j.Every;
// other messages are dropped.
func (s *Set) janitor(j Janitor) func(*process.Proc) error {
	return func(p *process.Proc) error {
		for {
			if _, err := p.SendAfter(p.PID(), sweepTick{}, j.Every); err != nil {
				return err
			}
			if err := awaitTick(p); err != nil {
				return nil // stopped
			}
			s.Sweep(j.IdleFor)
		}
	}
}

// awaitTick receives until the next sweepTick, or the process's end.
func awaitTick(p *process.Proc) error {
	for {
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		if _, ok := msg.(sweepTick); ok {
			return nil
		}
	}
}
