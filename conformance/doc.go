// Package conformance replays the OTP supervisor conformance scenarios on
// Orchard's supervisor and produces the trace the OTP 25 reference runner
// would, event for event.
//
// A scenario (testdata/FORMAT.md) is a supervision tree of scripted
// workers, a list of steps (crash a process, call the supervisor API,
// sleep, stop) and, when it was recorded on OTP, the expected trace. [Run]
// builds the tree with package supervisor, runs the steps and returns the
// observed trace; the tests compare it with the recorded one, and
// `orchard conformance run FILE.json` prints it.
//
// testdata holds 55 scenarios recorded on OTP 25, each kept only when
// every run in a fresh VM gave the same trace. The sup_killed_* and
// sup_brutal_kill_* ones pin down the corners of a supervisor's death: a
// supervisor killed by its parent's shutdown timeout while it waits for a
// hanging child, for every strategy and mid-restart, does nothing more
// (the child lives on as an orphan, its other children get the exit
// signal killed); brutal_kill supervisor children; nested supervisors
// killed while a child restarts.
//
// The process-level and gen_server scenarios (links, monitors, exit
// signals, trap_exit, calls, casts, deferred replies, continues and
// terminate rules) are a separate suite with its own format and reference
// runner: package [github.com/seed-fe72f376/orchard/conformance/proc].
//
// # OTP mapping
//
//	reference runner (otp-runner/runner)   Orchard
//	-------------------------------------  ----------------------------------------------
//	conf_runner:run_file/1                 Load, then Run(ctx, scenario, clock)
//	conf_runner:parse_scenario/1           Decode (unknown keys rejected), Scenario.Validate
//	conf_sup (supervisor callback)         supervisor.StartLink / StartDynamicLink
//	  strategy simple_one_for_one          DynamicSpec with a Template(name, behavior)
//	  strategy dynamic (DynamicSupervisor) DynamicSpec without a Template, per-child specs
//	conf_worker (gen_server)               the scripted worker, a genserver.Server
//	conf_trace (collector, monitors)       node event hook: rt.Exited -> exit/sup_exit
//	conf_log (reached_max_restart_...)     supervisor.WithEventHook: IntensityReached
//	conf_trace:render/1                    Render, ReasonTerm
//	sys:get_state in settle/1              supervisor.CountChildren in settle rounds
//	exit(Pid, kill)                        Node.Exit(pid, process.Kill)
//	gen_server:cast(Pid, {crash, R})       genserver.Cast; HandleCast returns R
//	gen_server:stop(Sup, R, infinity)      supervisor.Stop(pid, R, timeout)
//
// # Semantics
//
// Events are recorded synchronously at the moment they happen, under one
// lock, so causally ordered events keep their order (the reference gets
// the same from one collector on one scheduler):
//
//   - start P, init_error P, init_crash P, init_ignore P and terminate P R
//     come from the worker's Init and Terminate;
//   - sup_init P from the start function of each supervisor, before it
//     starts the supervisor;
//   - exit P R and sup_exit P R from the node's rt.Exited event (internal/rt),
//     which is published before any link or monitor hears of the death;
//   - max_intensity P from the supervisor's IntensityReached event.
//
// Supervisors are known by PID from the moment their parent spawns them
// (rt.Spawned), workers from the end of a successful Init; a path
// keeps mapping to the latest incarnation. Init attempts are counted per
// path for the whole run.
//
// After each step (unless it says "settle": false) the run settles: it
// calls every live supervisor, deepest first, waits 30 ms and repeats
// until a whole round added no event. All waits go through a [Clock]. Run
// inside a testing/synctest bubble, the node, the supervisors' timers and
// the clock all use the bubble's fake time, so a scenario with seconds of
// sleeps replays instantly and deterministically.
//
// After the last step the trace is frozen, every process is killed and the
// node is stopped.
//
// # Errors
//
// Bad input never panics (docs/ERRORS.md): [Load], [Decode], [Run],
// [WriteTrace] and [Scenario.Validate] return an error matching
// [ErrInvalidArgument] for an empty path, a nil reader, writer, scenario
// or context; a malformed scenario file is a decoding error or a
// *[ValidationError], and both match it too. FuzzDecode checks that any
// input gives such an error or a scenario that round-trips through JSON.
//
// # Differences from OTP
//
// The reference passes OTP terms around; here reasons are Go errors and
// [ReasonTerm] maps them back: process.Normal, Shutdown, Killed and
// ShutdownWith(x), supervisor's sentinels and typed errors, and
// [TermError] for scenario reasons such as boom or init_error.
// A worker's init that OTP would run with an infinite start timeout runs
// here with a 24 h one. The reference's dynamic supervisor is OTP's
// simple_one_for_one with a template derived from the steps; this package
// uses supervisor.StartDynamicLink with per-child specs instead, the
// Elixir DynamicSupervisor model the scenarios were cross-checked with.
//
// # Example
//
//	sc, err := conformance.Load("testdata/ofo_crash_first.json")
//	if err != nil {
//		return err
//	}
//	trace, err := conformance.Run(ctx, sc, conformance.RealClock{})
//	if err != nil {
//		return err
//	}
//	if d := conformance.Compare(sc.Expect, trace); d != "" {
//		fmt.Println(d) // first differing event, both sides
//	}
package conformance
