// Package monitors implements Elixir Foundation's monitor manager
// (Foundation.MonitorManager): tagged monitors taken on behalf of
// processes, removed automatically when their target or their caller
// dies, listed with their age, counted, and checked periodically for
// potential leaks.
//
// # Foundation mapping
//
//	Foundation.MonitorManager              Orchard
//	-------------------------------------  -----------------------------------------
//	start_link/1                           monitors.New(node, opts...)
//	monitor(pid, tag)                      (*Manager).Monitor(caller, target, tag)
//	demonitor(ref)                         (*Manager).Demonitor(ref)
//	{:error, :not_found}                   *NotFoundError (errors.Is ErrNotFound)
//	list_monitors/0                        (*Manager).List() []Info
//	get_stats/0                            (*Manager).Stats() Stats
//	find_leaks(age)                        (*Manager).FindLeaks(olderThan)
//	periodic :check_leaks                  the leak-check process (WithCheckInterval)
//	{:DOWN, ref, :process, pid, reason}    monitors.Down{Ref, Target, Tag, Reason}
//	:telemetry events                      EventCreated, EventCleaned, EventLeakDetected, ...
//
// # Semantics
//
// A monitor has a caller (the process on whose behalf it is taken, which
// receives the notification), a target (the process watched) and a tag
// (a string naming the purpose, for listings and telemetry). Any
// goroutine may take a monitor for any live caller of the manager's node.
//
// When the target dies, the caller receives a [Down] carrying the ref,
// the target, the tag and the exit reason, as an ordinary message (a
// genserver gets it in HandleInfo), and the monitor is gone. When the
// caller dies first, the monitor is removed without any message.
// Monitoring a dead or unknown target still returns a ref, and the caller
// receives Down with reason process.NoProc at once, as with OTP's
// monitor/2. Monitoring oneself never fires. [Manager.Demonitor] of a ref
// that has fired (or never existed) returns a *[NotFoundError]; the Down
// of a fired monitor is then already on its way to the caller, as after
// OTP's demonitor/1 returning false.
//
// Deaths are learned from the runtime's exit hooks
// (callbacks run as a process dies), one per process involved in any monitor, the
// same mechanism package registry uses: the manager takes no
// process.Monitor, holds no process per monitor and polls nothing. Hooks
// run before a process's Done channel closes, so once a caller has seen a
// process die its monitors are gone (the Down itself is already in the
// caller's mailbox). A process's hook stays installed until it dies or
// the manager is closed, even once it is in no monitor, so that
// monitoring it again costs no allocation.
//
// A potential leak is a monitor older than the leak threshold
// ([WithLeakThreshold], default [DefaultLeakThreshold]). Since a monitor
// whose caller or target died is removed at once, every monitor the
// manager holds has both alive: an old one is one its caller has probably
// forgotten to demonitor (Foundation's definition: monitors older than a
// threshold). Leaks are reported, never removed. The leak-check process,
// a root process of the node spawned by New, runs every check interval
// ([WithCheckInterval], default [DefaultCheckInterval]) on a timer it
// owns: it emits [EventLeakDetected] once per newly flagged monitor (and
// counts it in Stats.Leaked) and [EventLeakCheck] per run. It stops with
// the node, or with Close. New starts it unlinked; to have it restarted
// if it crashes, give New [WithoutChecker] and put [Manager.ChildSpec]
// (or [Manager.StartLink]) under a supervisor. Close waits for its death
// at most [DefaultCloseTimeout] ([Manager.CloseContext] takes a context)
// and reports one that outlives the wait with a *[CloseTimeoutError]. [Manager.FindLeaks] is the same query on
// demand, with any threshold and without side effects.
//
// The leak-check process is the same small periodic process as the
// janitors of package breaker and ratelimit, with the same
// Start/StartLink/ChildSpec shape: it keeps a timer of its own rather
// than asking package schedule, so that a manager needs no scheduler
// process, and so that the three sweepers share one mechanism (breaker
// sits below schedule and cannot use it without an import cycle).
//
// The manager is sharded twice: monitors by ref (a map per shard, for
// Demonitor) and processes by PID (a map per shard, holding each
// process's hook and an intrusive list of its monitors, so adding and
// removing a monitor allocates only the monitor). Monitor and Demonitor
// each take one ref-shard lock and one or two PID-shard locks, never two
// at once, and call process code only to install a hook (OnExit, under a
// PID-shard lock); an exit hook takes the same locks one at a time. No
// lock of the manager is held while telemetry handlers run or a Down is
// sent. BenchmarkMonitorManager measures Monitor+Demonitor pairs.
//
// # Differences from Foundation
//
//   - The caller is explicit (a PID): Foundation's GenServer monitors from
//     its own process on behalf of self() of the caller.
//   - Down is a typed struct with the tag, not a raw {:DOWN, ...} tuple,
//     and its [Ref] is the manager's own type, not a process.Ref: a
//     manager's monitor cannot be passed to process.Proc.Demonitor by
//     mistake, and a Ref is a plain counter, so finding its shard hashes
//     nothing.
//   - Demonitor cannot flush the caller's mailbox (only the process itself
//     can, see process.Proc.Flush); a caller that needs it flushes
//     monitors.Down messages with that ref itself.
//   - A Down refused by the caller's bounded mailbox is counted
//     (Stats.Undelivered) and reported ([EventUndelivered]). A caller
//     whose mailbox blocks when full makes the dying target's goroutine
//     wait up to that mailbox's deadline.
//   - Close removes every monitor without notification.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): every error
// about a value the caller gave matches [ErrInvalidArgument] (bad options
// match [ErrInvalidOption] as well, a zero PID process.ErrInvalidPID, the
// zero Ref [ErrNotFound]), and errors.As finds an *[ArgumentError] or the
// documented typed error. New and Start refuse a stopped node with
// process.ErrNodeStopped and create nothing. A nil or zero *[Manager]
// refuses every call and reads as empty.
//
// # Example
//
//	m, _ := monitors.New(node)
//	defer m.Close()
//	ref, _ := m.Monitor(self.PID(), worker, "job-42")
//	// ... later, in the caller:
//	case monitors.Down:
//		log.Printf("%s: %v exited: %v", msg.Tag, msg.Target, msg.Reason)
package monitors
