// Package rt is the runtime plumbing that Orchard's own packages
// (genserver, supervisor, task, registry, monitors, app, ...) use and that
// is not part of package process's public API: deadlines swept by the
// node instead of a timer per wait, node-scoped values, suspended and
// inline spawns, announced spawns, the behaviour label of a process, exit hooks, lookups of a live
// process by PID ([Target]), and the node's lifecycle event hooks
// ([WithEventHook]), which telemetry/bridge.NodeEvents turns into the
// telemetry events users see. A user of process sees processes, PIDs,
// messages, links, monitors, exits, timers, names, info and the node;
// what a behaviour needs besides lives here, inside the module.
//
// # The bridge to process
//
// rt's functions take and return process's types, so rt imports process,
// and process cannot import rt. The mechanism is the standard library's
// internal/testlog pattern, typed:
//
//  1. Package rtcore (internal/rt/rtcore) imports nothing of Orchard;
//     process imports it. It holds the plumbing types that process embeds
//     ([rtcore.Sweeper] in every node; [Deadline] and [Expirer] are its
//     aliases here) and one variable, rtcore.Bridge.
//  2. process's init stores in rtcore.Bridge a value of an unexported
//     process type (bridge) whose exported methods do the work with
//     process's unexported internals.
//  3. rt's init asserts rtcore.Bridge, once, to rt's own interface
//     (runtime, in rt.go), whose method signatures are over process's
//     types. Package initialisation order guarantees that process's init
//     has run: rt imports process.
//
// Each rt operation is then one interface method call into process, no
// //go:linkname and no unsafe. Value is the one that does more: a check
// that its key is comparable and a sync.Map load, as Node.Value did, so
// callers on hot paths keep what it returns.
// Adding an operation means a method on process's bridge, the same
// method in rt's runtime interface, and an rt function calling it.
//
// # OTP mapping
//
//	OTP                                   rt
//	---                                   --
//	gen:call's after Timeout              Deadline, StartDeadline, StopDeadline
//	erlang:monotonic_time                 Clock, ClockOf, ClockTime
//	message_queue_len of self()           Waiting (a handler's own)
//	proc_lib:start_link (init on caller)  StartInline
//	proc_lib's '$initial_call' label      Behaviour (Info.Behaviour, pprof label)
//	supervisor adopting a temporary child SpawnSuspended, Announce, Suspended.Resume
//	erlang:monitor from a non-process     OnExit (Elixir Registry's partitions)
//	erlang:whereis(Pid) + monitor         Lookup, Target
//	persistent_term per node              Value
//	erlang:trace(all, [procs]) tracer     WithEventHook: Spawned, Exited, ZombieDetected
//	process_info(P, messages), backtrace  Peek, Stack (read-only, for package observer)
//
// # Semantics
//
// A [Deadline] fires at or a little after its time, never before, on the
// node's deadline goroutine, unless it is stopped first; on a stopped
// node it expires at once. [Value] gets or creates one value per node and
// key. A process made by [SpawnSuspended] exists (PID, links, name) but
// runs nothing until [Suspended.Resume]. An [OnExit] hook runs on the
// goroutine that ends the process, after it left the node's table and
// names and before its links and monitors are signalled. A
// [WithEventHook] hook runs synchronously on the goroutine where the
// event happens: Spawned on the spawner's before the spawn returns,
// Exited on the one ending the process before its exit hooks, links and
// monitors, ZombieDetected on the zombie timer's (and at Node.Stop).
//
// # Differences from OTP
//
//   - SpawnSuspended spawns a child on behalf of another (live) process,
//     from any goroutine, and lets it run only on Suspended.Resume: Erlang
//     has no such spawn. A supervisor uses it to adopt a child it is told
//     about (Announce) before the child can exit
//     (supervisor.TemporaryStarter).
//   - OnExit has no OTP counterpart: code that is not a process asks for
//     a callback instead of a Down message.
//
// # Example
//
//	var dl rt.Deadline // embedded in the record that waits
//	rt.StartDeadline(node, &dl, 5*time.Second, waiter)
//	// ... the reply arrives:
//	if !rt.StopDeadline(node, &dl) {
//		// waiter.Expire ran or is running: the wait timed out
//	}
package rt
