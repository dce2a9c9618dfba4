// Package process implements Orchard's runtime: lightweight processes with
// mailboxes, links, monitors, exit signals and timers, with Erlang's
// semantics, in Go.
//
// A [Node] is one runtime instance. Processes are spawned on it and named
// by [PID]s, small comparable values. A process is either a [Func], which
// owns a goroutine for its life and reads its mailbox with
// [Proc.Receive], or a [Handler], which is driven by messages and holds no
// goroutine while idle: a pool of worker goroutines runs it only when its
// mailbox has work, so an idle process costs a few hundred bytes instead of
// a parked goroutine's stack. Behaviours (genserver, supervisor, ...) are
// handlers.
//
// # OTP mapping
//
//	Erlang                         Orchard
//	------                         -------
//	spawn/1, spawn_link/1          Node.Spawn, Proc.Spawn, Proc.Spawn(fn, Linked())
//	spawn_monitor/1                Proc.SpawnMonitor
//	spawn_opt/2                    SpawnOption: Linked, TrapExits, WithName, WithMailbox
//	Pid ! Msg                      Proc.Send, Node.Send
//	receive ... end                Proc.Receive, Proc.ReceiveMatch (selective)
//	link/1, unlink/1               Proc.Link, Proc.Unlink
//	monitor/2, demonitor/2         Proc.Monitor, Proc.Demonitor(ref, flush)
//	process_flag(trap_exit, B)     Proc.TrapExit
//	exit/2                         Proc.Exit, Node.Exit
//	{'EXIT', From, Reason}         Exit{From, Reason}
//	{'DOWN', Ref, process, P, R}   Down{Ref, PID, Reason}
//	normal, shutdown, {shutdown,X} Normal, Shutdown, ShutdownWith(x)
//	kill, killed, noproc           Kill, Killed, NoProc
//	erlang:send_after/3            Proc.SendAfter, Node.SendAfter
//	erlang:cancel_timer/1          Node.CancelTimer
//	register/2, whereis/1          Node.Register, Node.WhereIs, Node.Unregister
//	process_info/1                 Node.Info
//	is_process_alive/1             Node.IsAlive
//	make_ref/0                     Node.MakeRef
//	erlang:trace(all, procs)       telemetry/bridge.NodeEvents (spawn, exit, zombie)
//
// # Configuring a node
//
// [NewNode] takes options; the one users write is a [Config], whose
// fields (the timeouts configuration, logger and telemetry registry that
// library code on the node uses, the dead-letter hook, grace periods,
// the worker pool, debugging switches) each document their default. A
// zero field keeps the default, so several Configs compose:
//
//	node, err := process.NewNode(process.Config{Logger: l, Timeouts: t})
//
// Moved in issue 13: the node options WithTimeouts, WithLogger,
// WithTelemetry, WithDeadLetterHook, WithZombieGrace, WithStopGrace,
// WithMaxIdleWorkers, WithPanicPassThrough and WithProcessLabels are now
// the fields of [Config] (WithDeadLetterHook is OnDeadLetter); the spawn
// option WithBehaviour, which labels a behaviour's processes, is internal
// to the module (internal/rt.Behaviour).
//
// # Semantics
//
// Exit reasons are error values; compare them with [errors.Is]. A nil
// reason means [Normal]. [IsNormalOrShutdown] is the single classifier of
// deliberate stops.
//
// When a process dies with reason R, every linked process receives an exit
// signal R: a process that traps exits gets an [Exit] message; otherwise
// it dies with R, unless R is Normal, which it ignores. [Kill] sent with
// Exit cannot be trapped; the victim dies with [Killed], and its links see
// Killed (which they can trap). A process whose own code ends with Kill
// dies with reason Kill, and its links get Kill as an ordinary signal: a
// trapping one receives Exit{Reason: Kill}, another dies with Kill (as in
// OTP 25, where only exit(Pid, kill) is untrappable). Every monitor of the dead process gets a
// [Down] message; monitoring a dead PID gives Down with [NoProc] at once.
// Before any signal goes out, the dead process is removed from the node's
// table and name table, so a Down handler never sees it alive.
//
// Messages from one sender to one receiver arrive in send order. The
// mailbox is unbounded by default, so Send never blocks; [WithMailbox]
// bounds it with an explicit [OverflowPolicy]. Messages to a dead process
// are dropped and counted ([Stats]). Exit and Down messages are never
// refused.
//
// A panic or an error return in process code becomes the exit reason (a
// panic as a *[PanicError] with its stack); it never takes the program
// down. Each process has a context ([Proc.Context]) cancelled the moment
// it dies.
//
// Timers belong to their owner and die with it.
//
// # Scheduling
//
// Handler processes run on pooled worker goroutines. A send that finds the
// receiver idle hands it to an idle worker over a channel (Go schedules
// the woken worker on the sender's P, so a ping-pong pair stays on one
// core) or starts a new worker. One worker owns a process at a time (the
// mailbox's running flag, under the mailbox lock, so no wake-up is lost),
// which gives per-sender FIFO. Workers keep their grown stacks between
// processes. A process that dies on its worker and thereby makes idle
// processes runnable (a trapping link's Exit, a monitor's Down: a
// supervisor hearing of a crash) keeps the first of them on its own
// worker, which runs it next instead of waking another worker and
// parking: one goroutine switch less per crash. The others are
// dispatched as usual. A handler may block (a call, I/O): it only holds its own
// worker, never the pool.
//
// # Zombies
//
// Go cannot stop a goroutine from outside. A process killed while its
// code runs is dead for the rest of the system at once (signals, names,
// monitors, no more messages) and its context is cancelled; if its code
// does not return within the node's zombie grace it is a zombie: counted
// in [Stats], listed with its stack by [Node.Zombies], published as a
// telemetry event (see Observing a node), and reported by [Node.Stop]
// (a *[StopError]).
//
// Every worker goroutine carries the pprof labels orchard.node and
// orchard.worker (its number), and the zombie's stack is found through
// them. Goroutines that process code starts inherit those labels (they
// are told apart: they do not run a worker's loop), and code that sets
// its own labels while it hangs (inside pprof.Do, or after
// pprof.SetGoroutineLabels) hides its stack from the report; the worker
// restores its labels after every process it runs.
//
// # Observing a node
//
// A process observes another with [Proc.Monitor] or [Proc.Link]; code
// that is not a process asks with [Node.Info], [Node.Processes],
// [Node.Stats] and [Node.Zombies]. To see every spawn, exit and zombie
// of a node as it happens (OTP's erlang:trace of procs events, or the
// telemetry events of a runtime), create the node with the option
// bridge.NodeEvents of package telemetry/bridge: it publishes them on a
// telemetry registry as orchard.process.spawned, orchard.process.exited
// and orchard.process.zombie (bridge.EventProcessSpawned and its
// siblings), whose handlers and exporters (Prometheus, OpenTelemetry)
// anyone can attach. This package has no hook of its own for them: it
// stays free of telemetry, and its event plumbing is internal to the
// module.
//
// # Errors
//
// Bad input never panics (docs/ERRORS.md): a nil *Node or *Proc receiver,
// a nil Func, Handler, Dest or context, the zero PID, an empty name and a
// zero or invalid SpawnOption or Option give an error matching
// [ErrInvalidArgument]: an *[ArgumentError] (those about options also
// match [ErrInvalidOption]), or the older [ErrInvalidPID], which matches
// it too. A spawn on a
// stopped node is [ErrNodeStopped] and creates nothing. Methods without
// an error result document what they do with bad input: getters return
// the zero value.
//
// # Differences from OTP
//
//   - Exit signals reach a process that does not trap exits immediately,
//     even in the middle of a handler; the handler's code is interrupted
//     only through its context.
//   - Sending to a PID of another node is an error (*[WrongNodeError]):
//     nodes in one program are separate runtimes until clustering exists.
//   - Link to a dead process from a process that does not trap exits
//     returns a *[NoProcError] instead of raising.
//   - Selective receive is for Func processes; handlers get messages in
//     order.
//
// # Locks
//
// Proc.mu protects a process's links, monitors, timers, name and exit
// hooks (exit hooks are called without it); two are
// taken together only in PID order (see lockPair). The mailbox lock is
// never held while taking Proc.mu, nor the reverse, except that the names
// lock is taken before Proc.mu.
//
// # Example
//
//	node, _ := process.NewNode()
//	defer node.Stop(context.Background())
//	pid, _ := node.Spawn(func(p *process.Proc) error {
//		msg, err := p.Receive(p.Context())
//		if err != nil {
//			return err
//		}
//		fmt.Println("got", msg)
//		return nil
//	})
//	node.Send(pid, "hello")
package process
