package process

// Telemetry event names of the runtime's lifecycle events. The runtime
// publishes typed [Event] values to the hooks set with [WithEventHook];
// the bridge in package telemetry/bridge (NodeEvents) turns them into
// telemetry events under these names. Every event has the measurement
// "count" (1); metadata keys are listed per event.
const (
	// EventSpawned: a process started ([Spawned]). Metadata "pid",
	// "parent" (PID), "behaviour".
	EventSpawned = "orchard.process.spawned"
	// EventExited: a process died ([Exited]). Metadata "pid", "reason"
	// (error), "normal" (bool: the reason is Normal or Shutdown, see
	// [IsNormalOrShutdown]); measurement "lifetime" in seconds.
	EventExited = "orchard.process.exited"
	// EventZombie: a killed process's goroutine outlived the zombie
	// grace ([ZombieDetected]). Metadata "pid", "behaviour", "reason",
	// "stack".
	EventZombie = "orchard.process.zombie"
)
