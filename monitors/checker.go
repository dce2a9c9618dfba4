package monitors

import (
	"context"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Start starts the manager's leak-check process as a root process of
// node (New does this unless [WithoutChecker] is given): it stops with the
// node, with Close, or with an exit signal to the PID returned. It fails
// with [ErrClosed] after Close, with an *[AlreadyStartedError] while
// another leak-check process of this manager is alive, and with the
// node's error if the process cannot be spawned.
func (m *Manager) Start(node *process.Node) (process.PID, error) {
	const op = "monitors: Manager.Start"
	switch {
	case !m.usable():
		return process.PID{}, invalidOption(op, "receiver", "is nil")
	case node == nil:
		return process.PID{}, invalidOption(op, "node", "is nil")
	case node.Stopped():
		return process.PID{}, process.ErrNodeStopped
	}
	return m.startChecker(node, func() (process.PID, error) {
		return node.Spawn(m.runChecker, process.WithBehaviour("monitors.leak_check"))
	})
}

// StartLink starts the leak-check process linked to parent; it has the
// shape of a supervisor.StartFunc, so a supervisor can own it and restart
// it if it crashes (see [Manager.ChildSpec]). The monitors live in the
// Manager, not in the process: a restarted checker goes on with the same
// monitors (already flagged leaks are not reported again). Give New
// [WithoutChecker] so that the manager does not start an unlinked one
// first. It fails as Start does.
func (m *Manager) StartLink(parent *process.Proc) (process.PID, error) {
	const op = "monitors: Manager.StartLink"
	switch {
	case !m.usable():
		return process.PID{}, invalidOption(op, "receiver", "is nil")
	case parent == nil:
		return process.PID{}, invalidOption(op, "parent", "is nil")
	case parent.Node().Stopped():
		return process.PID{}, process.ErrNodeStopped
	}
	return m.startChecker(parent.Node(), func() (process.PID, error) {
		return parent.SpawnLink(m.runChecker, process.WithBehaviour("monitors.leak_check"))
	})
}

// ChildSpec returns a permanent worker child spec with id whose start
// function is [Manager.StartLink], so that the leak check runs as a
// supervised service.
func (m *Manager) ChildSpec(id string) supervisor.ChildSpec {
	return supervisor.ChildSpec{ID: id, Start: m.StartLink, Restart: supervisor.Permanent, Type: supervisor.Worker}
}

// Checker returns the PID of the manager's leak-check process, or the
// zero PID if none was ever started. The process may have died since.
func (m *Manager) Checker() process.PID {
	if m == nil {
		return process.PID{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.checker.Valid() {
		return process.PID{}
	}
	return m.checker.PID()
}

func (m *Manager) startChecker(node *process.Node, spawn func() (process.PID, error)) (process.PID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		return process.PID{}, ErrClosed
	}
	if m.checker.Valid() && m.checker.Alive() {
		return process.PID{}, &AlreadyStartedError{PID: m.checker.PID()}
	}
	pid, err := spawn()
	if err != nil {
		return process.PID{}, err
	}
	t, err := rt.LookupOn(node, pid)
	if err != nil {
		return process.PID{}, err // died at once
	}
	m.checker = t
	return pid, nil
}

// stopChecker shuts the leak-check process down and waits for its death,
// bounded by ctx.
func (m *Manager) stopChecker(ctx context.Context) error {
	m.mu.Lock()
	t := m.checker
	m.mu.Unlock()
	if !t.Valid() || !t.Alive() {
		return nil
	}
	_ = t.Node().Exit(t.PID(), process.Shutdown)
	return awaitDeath(ctx, t.PID(), t.Done())
}

// awaitDeath waits for done, bounded by ctx.
func awaitDeath(ctx context.Context, pid process.PID, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return &CloseTimeoutError{Checker: pid, Err: ctx.Err()}
	}
}
