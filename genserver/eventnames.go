package genserver

// EventCallTimeout is the telemetry event name of a call that got no
// reply in time ([CallTimedOut], heard through [OnCallTimeout]); the
// bridge in package telemetry/bridge (GenServerEvents) publishes it.
// Metadata "caller" (zero PID outside a process), "callee"; measurements
// "count" (1) and "timeout" in seconds.
const EventCallTimeout = "orchard.genserver.call.timeout"

// EventCallDropped is the telemetry event name of a request a server
// discarded unhandled because its caller had given up or its reply could
// not come in time ([CallDropped], heard through [OnCallDropped]; see
// [HandleAbandoned]); the bridge in package telemetry/bridge
// (GenServerEvents) publishes it. Metadata "caller" (zero PID outside a
// process), "callee", "delivery" (a [Deliver], not a [Call]),
// "caller_dead" and "late"; measurement "count" (1).
const EventCallDropped = "orchard.genserver.call.dropped"
