package supervisor

import "github.com/seed-fe72f376/orchard/process"

// Event is a supervisor lifecycle event, published synchronously to the
// hook set with [WithEventHook] from inside the supervisor process. The
// set is closed: [ChildStarted], [ChildRestarting], [ChildTerminated],
// [StartFailed], [IntensityReached], [AutoShutdownTriggered].
type Event interface{ isSupervisorEvent() }

// ChildStarted: a child started (at boot, on StartChild or a restart).
type ChildStarted struct {
	Supervisor process.PID
	ID         string
	PID        process.PID
	Restart    bool
}

// ChildRestarting: a child exited and the supervisor is about to act.
type ChildRestarting struct {
	Supervisor process.PID
	ID         string
	PID        process.PID
	Reason     error
}

// ChildTerminated: the supervisor stopped a child (shutdown, strategy).
type ChildTerminated struct {
	Supervisor process.PID
	ID         string
	PID        process.PID
	Reason     error
}

// StartFailed: a start function failed (error_context start_error or
// child_terminated during a restart).
type StartFailed struct {
	Supervisor process.PID
	ID         string
	Reason     error
}

// IntensityReached: more than MaxRestarts restarts within Period; the
// supervisor gives up (OTP's reached_max_restart_intensity report).
type IntensityReached struct {
	Supervisor process.PID
	ID         string
	Reason     error
}

// AutoShutdownTriggered: a significant child's exit stops the supervisor.
type AutoShutdownTriggered struct {
	Supervisor process.PID
	ID         string
}

func (ChildStarted) isSupervisorEvent()          {}
func (ChildRestarting) isSupervisorEvent()       {}
func (ChildTerminated) isSupervisorEvent()       {}
func (StartFailed) isSupervisorEvent()           {}
func (IntensityReached) isSupervisorEvent()      {}
func (AutoShutdownTriggered) isSupervisorEvent() {}

// Telemetry event names of the supervisor's lifecycle events. A
// supervisor publishes typed [Event] values to the hooks set with
// [WithEventHook]; the bridge in package telemetry/bridge
// (SupervisorEvents) turns them into telemetry events under these names.
// Every event has the measurement "count" (1); metadata keys are listed
// per event ("supervisor" is the supervisor's PID).
const (
	// EventChildStarted: [ChildStarted]. Metadata "supervisor", "id",
	// "pid", "restart" (bool).
	EventChildStarted = "orchard.supervisor.child.started"
	// EventChildRestarting: [ChildRestarting]. Metadata "supervisor",
	// "id", "pid", "reason".
	EventChildRestarting = "orchard.supervisor.child.restarting"
	// EventChildTerminated: [ChildTerminated]. Metadata "supervisor",
	// "id", "pid", "reason".
	EventChildTerminated = "orchard.supervisor.child.terminated"
	// EventStartFailed: [StartFailed]. Metadata "supervisor", "id",
	// "reason".
	EventStartFailed = "orchard.supervisor.start_failed"
	// EventIntensityReached: [IntensityReached]. Metadata "supervisor",
	// "id", "reason".
	EventIntensityReached = "orchard.supervisor.intensity_reached"
	// EventAutoShutdown: [AutoShutdownTriggered]. Metadata "supervisor",
	// "id".
	EventAutoShutdown = "orchard.supervisor.auto_shutdown"
)
