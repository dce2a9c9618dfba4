// Package telemetry implements event dispatch in the spirit of Erlang's
// telemetry library: components emit named events with measurements and
// metadata, and operators attach handlers that turn them into metrics,
// logs or traces.
//
// # OTP mapping
//
//	telemetry:attach/4, attach_many/4   Attach (one or more event names)
//	telemetry:detach/1                  Detach
//	telemetry:execute/3                 Execute
//	telemetry:span/3                    Span
//	telemetry:list_handlers/1           Handlers
//	[telemetry, handler, failure]       HandlerFailure
//
// # Semantics
//
// Event names are dotted strings, "orchard.supervisor.child.restarting",
// matched exactly. Handlers run synchronously in the emitter's goroutine, in
// the order they were attached; they must be quick and must not block. A
// handler that panics is detached at once, reported through log/slog and as a
// [HandlerFailure] event, and the emitter goes on as if nothing happened.
//
// Execute with no handler attached for the event costs one atomic load and one
// map lookup. Emitters on hot paths can test [Registry.Enabled] before they
// build measurement maps.
//
// Orchard's own packages publish their lifecycle events here, and each
// declares the names of the events it emits as constants
// (bridge.EventProcessSpawned, supervisor.EventChildRestarting,
// send.EventDelivered, ...). The runtime, the supervisors and GenServer
// calls publish typed values to hooks instead, which package
// telemetry/bridge (NodeEvents, SupervisorEvents, GenServerEvents) turns
// into events here; send, deadletter, monitors, health, schedule, breaker
// and ratelimit publish directly.
//
// This package imports nothing of Orchard (but internal/argerr), so every
// package can emit events without an import cycle (ARCHITECTURE.md, base layer).
//
// # Differences from OTP
//
// A registry is a value ([New]); the package-level functions use [Default],
// which is what Erlang's single global table is. Measurements are float64 and
// durations are in seconds (Prometheus conventions) rather than native time
// units. Span reports an error returned by the function as an exception event
// with kind "error" and a panic with kind "panic" (then re-panics).
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): every error
// about a value the caller gave matches [ErrInvalidArgument] (an invalid
// handler matches [ErrInvalidHandler] as well), and errors.As finds an
// *[ArgumentError]. A nil *[Registry] has no handlers: [Registry.Execute]
// and [Registry.Enabled] do nothing on it. The one panic that leaves this
// package is the documented pass-through of [Registry.Span]: fn's own
// panic, re-raised after it is reported.
//
// # Example
//
//	telemetry.Attach("log-restarts", []string{supervisor.EventChildRestarting}, ...)
//	telemetry.Execute("myapp.cache.miss", telemetry.Measurements{"count": 1}, nil)
package telemetry
