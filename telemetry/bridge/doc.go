// Package bridge publishes the typed lifecycle events of the runtime
// (package process), the supervisors and GenServer calls as telemetry
// events, so that handlers and exporters see them by name.
//
// The core packages do not import package telemetry: they publish typed
// values to hooks ([supervisor.WithEventHook], [genserver.OnCallTimeout],
// and the runtime's process hooks, which are internal to the module) and
// declare the names their events are published under
// (supervisor.EventChildStarted, genserver.EventCallTimeout, ...). This
// package connects the two; it sits beside the exporters, above the core,
// and no core package imports it. It declares the names of the runtime's
// process events itself ([EventProcessSpawned], [EventProcessExited],
// [EventProcessZombie]): [NodeEvents] is how code outside Orchard sees
// every spawn, exit and zombie of a node.
//
// # OTP mapping
//
// Erlang's telemetry library has no bridge: OTP libraries call
// telemetry:execute/3 themselves. Orchard keeps its runtime a leaf-free
// core, so the calls live here.
//
//	OTP / Elixir                              Orchard
//	----------------------------------------  ------------------------------------------
//	:telemetry.execute in the runtime         NodeEvents(r) (a process.Option)
//	:telemetry.execute in the supervisor      SupervisorEvents(r) (a supervisor.Option)
//	GenServer call timeout events             GenServerEvents(r, node)
//
// # Semantics
//
// The bridges run in the emitter's goroutine, synchronously, as the hooks
// do: a handler sees an event before the emitting process goes on. Every
// event carries the measurement "count" (1); the metadata keys are listed
// at each event-name constant. A nil registry means the registry of the
// node the events come from (process.Config.Telemetry), else
// telemetry.Default(): a node's events land on its own registry without
// naming it twice.
//
// # Differences from OTP
//
// Supervisor and runtime events are opt-in per node and per supervisor:
// a node created without [NodeEvents] publishes nothing, which keeps the
// spawn path free of telemetry when nobody listens.
//
// # Errors
//
// [GenServerEvents] returns an error matching [ErrInvalidArgument] for a
// nil node, and process.ErrNodeStopped for a stopped one.
//
// # Example
//
//	tel := telemetry.New()
//	node, _ := process.NewNode(process.Config{Telemetry: tel}, bridge.NodeEvents(nil))
//	_ = bridge.GenServerEvents(nil, node)
//	sup, _ := supervisor.Start(node, spec, bridge.SupervisorEvents(nil))
package bridge
