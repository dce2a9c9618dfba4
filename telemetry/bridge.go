package telemetry

import (
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Event names of the runtime and the supervisors, published through the
// bridges [NodeEvents] and [SupervisorEvents]. Every event has the
// measurement "count" (1); metadata keys are listed per event.
const (
	// ProcessSpawned: "pid", "parent" (process.PID), "behaviour".
	ProcessSpawned = "orchard.process.spawned"
	// ProcessExited: "pid", "reason" (error), "normal" (bool: Normal or
	// Shutdown); measurement "lifetime" in seconds.
	ProcessExited = "orchard.process.exited"
	// ProcessZombie: "pid", "behaviour", "reason", "stack".
	ProcessZombie = "orchard.process.zombie"

	// GenServerCallTimeout: a call got no reply in time. Metadata
	// "caller" (zero PID outside a process), "callee"; measurement
	// "timeout" in seconds.
	GenServerCallTimeout = "orchard.genserver.call.timeout"

	// SupervisorChildStarted: "supervisor", "id", "pid", "restart" (bool).
	SupervisorChildStarted = "orchard.supervisor.child.started"
	// SupervisorChildRestarting: "supervisor", "id", "pid", "reason".
	SupervisorChildRestarting = "orchard.supervisor.child.restarting"
	// SupervisorChildTerminated: "supervisor", "id", "pid", "reason".
	SupervisorChildTerminated = "orchard.supervisor.child.terminated"
	// SupervisorStartFailed: "supervisor", "id", "reason".
	SupervisorStartFailed = "orchard.supervisor.start_failed"
	// SupervisorIntensityReached: "supervisor", "id", "reason".
	SupervisorIntensityReached = "orchard.supervisor.intensity_reached"
	// SupervisorAutoShutdown: "supervisor", "id".
	SupervisorAutoShutdown = "orchard.supervisor.auto_shutdown"
)

// one returns a fresh {"count": 1}: handlers get maps of their own.
func one() Measurements { return Measurements{"count": 1} }

// NodeEvents returns a node option that publishes the node's process
// lifecycle events on r (nil means [Default]).
func NodeEvents(r *Registry) process.Option {
	if r == nil {
		r = defaultRegistry
	}
	return process.WithEventHook(func(e process.Event) { r.publishProcess(e) })
}

func (r *Registry) publishProcess(e process.Event) {
	switch e := e.(type) {
	case process.Spawned:
		if r.Enabled(ProcessSpawned) {
			r.Execute(ProcessSpawned, one(), Metadata{"pid": e.PID, "parent": e.Parent, "behaviour": e.Behaviour})
		}
	case process.Exited:
		if r.Enabled(ProcessExited) {
			r.Execute(ProcessExited, Measurements{"count": 1, "lifetime": e.Lifetime.Seconds()},
				Metadata{"pid": e.PID, "reason": e.Reason, "normal": process.IsNormalOrShutdown(e.Reason)})
		}
	case process.ZombieDetected:
		z := e.Zombie
		r.Execute(ProcessZombie, one(), Metadata{"pid": z.PID, "behaviour": z.Behaviour, "reason": z.Reason, "stack": z.Stack})
	}
}

// GenServerEvents publishes on r (nil means [Default]) every call to a
// server of node that times out ([GenServerCallTimeout]). A nil node is
// an error matching [ErrInvalidArgument], a stopped one
// process.ErrNodeStopped; then nothing is published.
func GenServerEvents(r *Registry, node *process.Node) error {
	if node == nil {
		return argerr.Nil("telemetry: GenServerEvents", "node")
	}
	if node.Stopped() {
		return process.ErrNodeStopped
	}
	if r == nil {
		r = defaultRegistry
	}
	genserver.OnCallTimeout(node, func(e genserver.CallTimedOut) {
		r.Execute(GenServerCallTimeout, Measurements{"count": 1, "timeout": e.Timeout.Seconds()},
			Metadata{"caller": e.Caller, "callee": e.Callee})
	})
	return nil
}

// SupervisorEvents returns a supervisor option that publishes the
// supervisor's lifecycle events on r (nil means [Default]).
func SupervisorEvents(r *Registry) supervisor.Option {
	if r == nil {
		r = defaultRegistry
	}
	return supervisor.WithEventHook(func(e supervisor.Event) { r.publishSupervisor(e) })
}

func (r *Registry) publishSupervisor(e supervisor.Event) {
	switch e := e.(type) {
	case supervisor.ChildStarted:
		r.Execute(SupervisorChildStarted, one(), Metadata{"supervisor": e.Supervisor, "id": e.ID, "pid": e.PID, "restart": e.Restart})
	case supervisor.ChildRestarting:
		r.Execute(SupervisorChildRestarting, one(), Metadata{"supervisor": e.Supervisor, "id": e.ID, "pid": e.PID, "reason": e.Reason})
	case supervisor.ChildTerminated:
		r.Execute(SupervisorChildTerminated, one(), Metadata{"supervisor": e.Supervisor, "id": e.ID, "pid": e.PID, "reason": e.Reason})
	case supervisor.StartFailed:
		r.Execute(SupervisorStartFailed, one(), Metadata{"supervisor": e.Supervisor, "id": e.ID, "reason": e.Reason})
	case supervisor.IntensityReached:
		r.Execute(SupervisorIntensityReached, one(), Metadata{"supervisor": e.Supervisor, "id": e.ID, "reason": e.Reason})
	case supervisor.AutoShutdownTriggered:
		r.Execute(SupervisorAutoShutdown, one(), Metadata{"supervisor": e.Supervisor, "id": e.ID})
	}
}
