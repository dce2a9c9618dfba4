// Package periodic is the one mechanism behind Orchard's private
// sweepers: breaker's janitor, ratelimit's janitor and monitors' leak
// check. Each is a small process that runs a function every interval, on
// a process timer it owns (process.Proc.SendAfter), until it is stopped;
// the function's state lives in its owner (a Set, a Limiter, a Manager),
// not in the process, so a restarted sweeper goes on with the same data.
//
// The three packages expose it with the same shape: Start(node, ...) for
// a root process, StartLink(parent, ...) for a linked one (a supervisor
// StartFunc) and ChildSpec(id, ...) returning a permanent worker spec.
//
// Why not package schedule, which owns the application's periodic work:
// breaker sits below schedule (schedule delivers through send, which uses
// breaker), so it cannot ask a scheduler without an import cycle; and
// requiring a *schedule.Scheduler for a rate limiter or a monitor manager
// would make their common path (one of them on a node) start a GenServer,
// make calls and monitor owners to drive one timer. A sweeper is a
// library's housekeeping, not the application's scheduled work; one
// internal helper keeps the three identical instead.
//
// # OTP mapping
//
//	OTP                                        Orchard
//	-----------------------------------------  ------------------------------------------
//	timer:apply_interval/4 (a ticking process)  Spawn(node, parent, Spec{Every, Work})
//	erlang:send_after/3 re-armed in handle_info  the process's own timer (Proc.SendAfter)
//	a named singleton worker                     Slot (one live process per owner)
//
// # Semantics
//
// The first run is one interval after the start, the next one interval
// after the previous run ended (no catch-up, no overlap). The timer belongs
// to the process, so stopping, killing or restarting the process stops the
// timer; no goroutine outlives it. Messages other than the tick are dropped.
//
// # Differences from OTP
//
// timer:apply_interval/4 runs its function in a new process per tick; here
// the work runs in the periodic process itself, so runs never overlap.
package periodic
