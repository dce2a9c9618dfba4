package genserver

// EventCallTimeout is the telemetry event name of a call that got no
// reply in time ([CallTimedOut], heard through [OnCallTimeout]); the
// bridge in package telemetry/bridge (GenServerEvents) publishes it.
// Metadata "caller" (zero PID outside a process), "callee"; measurements
// "count" (1) and "timeout" in seconds.
const EventCallTimeout = "orchard.genserver.call.timeout"
