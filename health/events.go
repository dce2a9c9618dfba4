package health

// Telemetry events of the monitors. Every event has the measurement
// "count" (1); "monitor" is the monitor's PID.
const (
	// EventCheckStatusChanged: a check's or a service's status changed.
	// Metadata "monitor", "check" (name), "from", "to" (status names),
	// "critical" (bool), "reason" (error, nil when healthy).
	EventCheckStatusChanged = "orchard.health.check.status_changed"
	// EventCheckCompleted: a check's run ended. Measurement "duration" in
	// seconds; metadata "monitor", "check", "status" (name).
	EventCheckCompleted = "orchard.health.check.completed"
	// EventCheckTimeout: a check overran its timeout and was killed.
	// Measurement "timeout" in seconds; metadata "monitor", "check".
	EventCheckTimeout = "orchard.health.check.timeout"
	// EventStatusChanged: a monitor's aggregate status changed. Metadata
	// "monitor", "from", "to" (status names).
	EventStatusChanged = "orchard.health.status_changed"
	// EventServiceStatusChanged: a watched service's status changed.
	// Metadata "monitor", "service", "pid" (zero when not resolved),
	// "from", "to", "critical", "reason".
	EventServiceStatusChanged = "orchard.health.service.status_changed"
)
