// Package proc replays the process-level and gen_server conformance
// scenarios on Orchard's process and genserver packages and produces the
// trace the OTP 25 reference runner records, line for line.
//
// A scenario (testdata/FORMAT.md) is a list of steps performed by named
// actors (plain processes: spawn, link, monitor, exit signals, trap_exit,
// send and receive) and scripted gen_servers (start, call, cast, stop,
// deferred replies, continues), and the trace OTP produced: what each actor
// received, how each process died, what each call returned and which
// server callbacks ran. [Run] plays the steps on a fresh node and returns
// the trace; the tests compare it with the recorded one. The reference
// runner lives in otp/ (record.sh records every scenario on a real OTP 25
// VM and keeps a trace only when three fresh-VM runs agree), and gen.go
// generates the matrix-shaped scenarios.
//
// # OTP mapping
//
//	reference runner (otp/)                Orchard (this package)
//	-------------------------------------  ---------------------------------------------
//	proc_runner:harness/1                  Run
//	actor_loop/3 (selective receive)       an actor: a process.Func, Proc.ReceiveMatch
//	spawn, spawn_link, spawn_monitor       Proc.Spawn (with Linked), Proc.SpawnMonitor
//	link, unlink, monitor, demonitor       Proc.Link, Unlink, Monitor, Demonitor(ref, flush)
//	process_flag(trap_exit, B)             Proc.TrapExit
//	exit(P, R), exit(R), error(boom)       Proc.Exit, returning R, panic
//	proc_server (gen_server)               a genserver.Server with every callback
//	gen_server:start(_link)                genserver.Start, genserver.StartLink
//	gen_server:call/3, cast/2, stop/3      genserver.Call, Cast, Stop
//	gen_server:reply/2                     genserver.Reply
//	monitor on every process ('DOWN')      the node's rt.Exited event
//	'$sync' call when settling             genserver.Call with an unreported request
//
// # Semantics
//
// The harness sends each step to the actor that performs it, as a message
// the actor takes by selective receive, and waits for the actor's answer
// or its death; then it settles by calling every live server, so every
// callback the step caused has run. The step adds its server events, then
// its own lines, to the trace. The only waits on time are those of recv
// (1 s), dead (1 s) and nothing (50 ms), and they are the reference's: run
// inside a testing/synctest bubble, they take no real time, so the whole
// suite replays in well under a second.
//
// Deaths are taken from the node's [rt.Exited] (internal/rt) event, which is
// published after the dead process's links and monitors were signalled:
// when the harness sees a death, its signals have reached every link, as
// on the reference's single scheduler.
//
// # Errors
//
// Bad input never panics (docs/ERRORS.md): [Load], [Decode], [Run] and
// [Scenario.Validate] return an error matching [ErrInvalidArgument] for an
// empty path, a nil reader, scenario or context, and for a malformed or
// invalid scenario. FuzzDecode checks that any input gives such an error
// or a scenario that round-trips through JSON.
//
// # Differences from OTP
//
// Where Orchard deliberately differs and documents it, a scenario carries
// OTP's trace in Expect and Orchard's in OrchardDiffers.Expect, which is
// what the replay must produce. Today that is genserver's unlink on a
// failed or ignored StartLink (OTP 26's behaviour).
//
// # Example
//
//	sc, err := proc.Load("testdata/die_boom_trap.json")
//	if err != nil {
//		return err
//	}
//	trace, err := proc.Run(ctx, sc)
//	if err != nil {
//		return err
//	}
//	if d := conformance.Compare(sc.Expect, trace); d != "" {
//		fmt.Println(d) // the first differing line, both sides
//	}
package proc
