package breaker

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/periodic"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Janitor settings for [Set.Start], [Set.StartLink] and [Set.ChildSpec]:
// every Every the janitor runs [Set.Sweep] with IdleFor.
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

// Start starts a janitor on node, a root process that sweeps the set as
// j says, on a timer it owns, until it is stopped (with the node, or an
// exit signal to the PID returned). It does not wait for the first
// sweep. Bad settings, a nil node or a nil Set give an error matching
// [ErrInvalidSettings] and [ErrInvalidArgument]; a stopped node gives
// process.ErrNodeStopped. The breakers live in the Set, not in the
// process: any number of janitors (or none) may run.
func (s *Set) Start(node *process.Node, j Janitor) (process.PID, error) {
	const op = "breaker: Set.Start"
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
	return periodic.Spawn(node, nil, s.janitor(j))
}

// StartLink starts a janitor linked to parent; it has the shape of a
// supervisor.StartFunc, so a supervisor can own it (see [Set.ChildSpec]).
// It fails as Start does.
func (s *Set) StartLink(parent *process.Proc, j Janitor) (process.PID, error) {
	const op = "breaker: Set.StartLink"
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
	return periodic.Spawn(parent.Node(), parent, s.janitor(j))
}

// ChildSpec returns a permanent worker child spec with id whose start
// function is [Set.StartLink] with j, so that the janitor runs as a
// supervised service.
func (s *Set) ChildSpec(id string, j Janitor) supervisor.ChildSpec {
	start := func(parent *process.Proc) (process.PID, error) { return s.StartLink(parent, j) }
	return supervisor.ChildSpec{ID: id, Start: start, Restart: supervisor.Permanent, Type: supervisor.Worker}
}

// janitor describes the janitor process: a sweep every j.Every.
func (s *Set) janitor(j Janitor) periodic.Spec {
	return periodic.Spec{Behaviour: "breaker.janitor", Every: j.Every, Work: func() { s.Sweep(j.IdleFor) }}
}
