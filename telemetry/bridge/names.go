package bridge

// Telemetry event names of the runtime's process lifecycle events, which
// [NodeEvents] publishes (package process keeps its event hooks to the
// module; these names are where users meet the events). Every event has
// the measurement "count" (1); metadata keys are listed per event.
const (
	// EventProcessSpawned: a process started. Metadata "pid", "parent"
	// (process.PID), "behaviour".
	EventProcessSpawned = "orchard.process.spawned"
	// EventProcessExited: a process died. Metadata "pid", "reason"
	// (error), "normal" (bool: the reason is Normal or Shutdown, see
	// process.IsNormalOrShutdown); measurement "lifetime" in seconds.
	EventProcessExited = "orchard.process.exited"
	// EventProcessZombie: a killed process's goroutine outlived the
	// node's zombie grace, or was left when the node stopped. Metadata
	// "pid", "behaviour", "reason", "stack".
	EventProcessZombie = "orchard.process.zombie"
)
