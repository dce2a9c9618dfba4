package bridge

import (
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// one returns a fresh {"count": 1}: handlers get maps of their own.
func one() telemetry.Measurements { return telemetry.Measurements{"count": 1} }

// orDefault returns r, or telemetry.Default() for nil.
func orDefault(r *telemetry.Registry) *telemetry.Registry {
	if r == nil {
		return telemetry.Default()
	}
	return r
}

// NodeEvents returns a node option that publishes the node's process
// lifecycle events on r (nil means telemetry.Default()), under the names
// [EventProcessSpawned], [EventProcessExited] and [EventProcessZombie]:
// the way for code outside Orchard to observe every spawn, exit and zombie
// of a node.
func NodeEvents(r *telemetry.Registry) process.Option {
	r = orDefault(r)
	return rt.WithEventHook(func(e rt.Event) { publishProcess(r, e) })
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

// GenServerEvents publishes on r (nil means telemetry.Default()) every
// call to a server of node that times out, as genserver.EventCallTimeout.
// A nil node is an error matching [ErrInvalidArgument], a stopped one
// process.ErrNodeStopped; then nothing is published.
func GenServerEvents(r *telemetry.Registry, node *process.Node) error {
	if node == nil {
		return argerr.Nil("bridge: GenServerEvents", "node")
	}
	if node.Stopped() {
		return process.ErrNodeStopped
	}
	r = orDefault(r)
	genserver.OnCallTimeout(node, func(e genserver.CallTimedOut) {
		r.Execute(genserver.EventCallTimeout, telemetry.Measurements{"count": 1, "timeout": e.Timeout.Seconds()},
			telemetry.Metadata{"caller": e.Caller, "callee": e.Callee})
	})
	return nil
}

// SupervisorEvents returns a supervisor option that publishes the
// supervisor's lifecycle events on r (nil means telemetry.Default()),
// under the names supervisor.EventChildStarted and its siblings.
func SupervisorEvents(r *telemetry.Registry) supervisor.Option {
	r = orDefault(r)
	return supervisor.WithEventHook(func(e supervisor.Event) { publishSupervisor(r, e) })
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
