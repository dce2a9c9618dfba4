package bridge

import (
	"sync"
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// one returns a fresh {"count": 1}: handlers get maps of their own.
func one() telemetry.Measurements { return telemetry.Measurements{"count": 1} }

// nodeRegistries finds, for a bridge given no registry, the registry of
// the node an event comes from: the node's process.Config.Telemetry, else
// telemetry.Default(). The hooks get events, not nodes, so a node is
// found once, from a process of it alive at the time (rt.Lookup), and
// remembered by its number: the last node's with one atomic load (a
// node's events usually come in runs), others in a map.
type nodeRegistries struct {
	last  atomic.Pointer[nodeRegistry]
	nodes sync.Map // node number -> *telemetry.Registry
}

// nodeRegistry is the registry of node number node.
type nodeRegistry struct {
	node uint32
	r    *telemetry.Registry
}

// of returns the registry of the node of pids (all of one node), found
// through the first of them alive now if the node is not known yet. For
// a node not known and no live process, it returns telemetry.Default():
// the first event of a node is the spawn of a live process, so that
// happens only to a process killed while it was being spawned.
func (c *nodeRegistries) of(pids ...process.PID) *telemetry.Registry {
	id := pids[0].Node()
	if l := c.last.Load(); l != nil && l.node == id {
		return l.r
	}
	if v, ok := c.nodes.Load(id); ok {
		r := v.(*telemetry.Registry)
		c.last.Store(&nodeRegistry{node: id, r: r})
		return r
	}
	for _, pid := range pids {
		if pid.IsZero() {
			continue
		}
		if t, err := rt.Lookup(pid); err == nil {
			r := nodeenv.Telemetry(t.Node())
			c.nodes.Store(id, r)
			c.last.Store(&nodeRegistry{node: id, r: r})
			return r
		}
	}
	return telemetry.Default()
}

// NodeEvents returns a node option that publishes the node's process
// lifecycle events on r, under the names [EventProcessSpawned],
// [EventProcessExited] and [EventProcessZombie]: the way for code outside
// Orchard to observe every spawn, exit and zombie of a node. A nil r
// means the registry of the node the option is given to
// (process.Config.Telemetry, else telemetry.Default()).
func NodeEvents(r *telemetry.Registry) process.Option {
	if r != nil {
		return rt.WithEventHook(func(e rt.Event) { publishProcess(r, e) })
	}
	var nodes nodeRegistries
	return rt.WithEventHook(func(e rt.Event) {
		switch e := e.(type) {
		case rt.Spawned:
			publishProcess(nodes.of(e.PID, e.Parent), e)
		case rt.Exited:
			publishProcess(nodes.of(e.PID), e)
		case rt.ZombieDetected:
			publishProcess(nodes.of(e.Zombie.PID), e)
		}
	})
}

func publishProcess(r *telemetry.Registry, e rt.Event) {
	switch e := e.(type) {
	case rt.Spawned:
		if r.Enabled(EventProcessSpawned) {
			r.Execute(EventProcessSpawned, one(), telemetry.Metadata{"pid": e.PID, "parent": e.Parent, "behaviour": e.Behaviour})
		}
	case rt.Exited:
		if r.Enabled(EventProcessExited) {
			r.Execute(EventProcessExited, telemetry.Measurements{"count": 1, "lifetime": e.Lifetime.Seconds()},
				telemetry.Metadata{"pid": e.PID, "reason": e.Reason, "normal": process.IsNormalOrShutdown(e.Reason)})
		}
	case rt.ZombieDetected:
		z := e.Zombie
		r.Execute(EventProcessZombie, one(), telemetry.Metadata{"pid": z.PID, "behaviour": z.Behaviour, "reason": z.Reason, "stack": z.Stack})
	}
}

// GenServerEvents publishes on r (nil means node's registry,
// process.Config.Telemetry, else telemetry.Default()) every call to a server
// of node that times out, as genserver.EventCallTimeout, and every
// request a server of node drops because its caller gave up, as
// genserver.EventCallDropped.
// A nil node is an error matching [ErrInvalidArgument], a stopped one
// process.ErrNodeStopped; then nothing is published.
func GenServerEvents(r *telemetry.Registry, node *process.Node) error {
	if node == nil {
		return argerr.Nil("bridge: GenServerEvents", "node")
	}
	if node.Stopped() {
		return process.ErrNodeStopped
	}
	if r == nil {
		r = nodeenv.Telemetry(node)
	}
	genserver.OnCallTimeout(node, func(e genserver.CallTimedOut) {
		r.Execute(genserver.EventCallTimeout, telemetry.Measurements{"count": 1, "timeout": e.Timeout.Seconds()},
			telemetry.Metadata{"caller": e.Caller, "callee": e.Callee})
	})
	genserver.OnCallDropped(node, func(e genserver.CallDropped) {
		r.Execute(genserver.EventCallDropped, telemetry.Measurements{"count": 1},
			telemetry.Metadata{"caller": e.Caller, "callee": e.Callee, "delivery": e.Delivery, "caller_dead": e.CallerDead, "late": e.Late})
	})
	return nil
}

// SupervisorEvents returns a supervisor option that publishes the
// supervisor's lifecycle events on r, under the names
// supervisor.EventChildStarted and its siblings. A nil r means the
// registry of the supervisor's node (process.Config.Telemetry, else
// telemetry.Default()).
func SupervisorEvents(r *telemetry.Registry) supervisor.Option {
	if r != nil {
		return supervisor.WithEventHook(func(e supervisor.Event) { publishSupervisor(r, e) })
	}
	var nodes nodeRegistries
	return supervisor.WithEventHook(func(e supervisor.Event) {
		// The supervisor publishes from its own process, alive then.
		publishSupervisor(nodes.of(supervisorOf(e)), e)
	})
}

// supervisorOf returns the supervisor that published e.
func supervisorOf(e supervisor.Event) process.PID {
	switch e := e.(type) {
	case supervisor.ChildStarted:
		return e.Supervisor
	case supervisor.ChildRestarting:
		return e.Supervisor
	case supervisor.ChildTerminated:
		return e.Supervisor
	case supervisor.StartFailed:
		return e.Supervisor
	case supervisor.IntensityReached:
		return e.Supervisor
	case supervisor.AutoShutdownTriggered:
		return e.Supervisor
	}
	return process.PID{}
}

func publishSupervisor(r *telemetry.Registry, e supervisor.Event) {
	switch e := e.(type) {
	case supervisor.ChildStarted:
		r.Execute(supervisor.EventChildStarted, one(), telemetry.Metadata{"supervisor": e.Supervisor, "id": e.ID, "pid": e.PID, "restart": e.Restart})
	case supervisor.ChildRestarting:
		r.Execute(supervisor.EventChildRestarting, one(), telemetry.Metadata{"supervisor": e.Supervisor, "id": e.ID, "pid": e.PID, "reason": e.Reason})
	case supervisor.ChildTerminated:
		r.Execute(supervisor.EventChildTerminated, one(), telemetry.Metadata{"supervisor": e.Supervisor, "id": e.ID, "pid": e.PID, "reason": e.Reason})
	case supervisor.StartFailed:
		r.Execute(supervisor.EventStartFailed, one(), telemetry.Metadata{"supervisor": e.Supervisor, "id": e.ID, "reason": e.Reason})
	case supervisor.IntensityReached:
		r.Execute(supervisor.EventIntensityReached, one(), telemetry.Metadata{"supervisor": e.Supervisor, "id": e.ID, "reason": e.Reason})
	case supervisor.AutoShutdownTriggered:
		r.Execute(supervisor.EventAutoShutdown, one(), telemetry.Metadata{"supervisor": e.Supervisor, "id": e.ID})
	}
}
