// Package supervisor implements OTP's supervisor behaviour on top of
// packages process and genserver: a process that starts child processes,
// watches them through links, restarts them by a strategy when they exit,
// and gives up (exiting itself) when they restart too often, so that the
// failure moves up the supervision tree.
//
// A static supervisor is started from a [Spec]: [Flags] and [ChildSpec]s
// in start order. A dynamic supervisor ([StartDynamic], [DynamicSpec])
// has no children at start and takes them at run time, either each with
// its own ChildSpec (Elixir's DynamicSupervisor) or all from one
// [Template] with extra arguments (OTP's simple_one_for_one). Both are
// genserver processes that trap exits; the admin functions ([StartChild],
// [WhichChildren], ...) are calls to them.
//
// # OTP mapping
//
//	OTP                                         Orchard
//	------------------------------------------  ---------------------------------------------
//	supervisor:start_link/2,3                   Start(node, spec), StartLink(parent, spec)
//	{local, Name}                               WithName(name)
//	supervisor:start_child(Sup, ChildSpec)      StartChild(ctx, sup, spec)
//	supervisor:start_child(Sup, ExtraArgs)      StartTemplateChild(ctx, sup, args...)
//	DynamicSupervisor.start_child/2             StartDynamicChild(ctx, sup, spec)
//	supervisor:terminate_child(Sup, Id)         TerminateChild(ctx, sup, id)
//	supervisor:terminate_child(Sup, Pid)        TerminateChildPID(ctx, sup, pid)
//	supervisor:restart_child/2                  RestartChild(ctx, sup, id)
//	supervisor:delete_child/2                   DeleteChild(ctx, sup, id)
//	supervisor:which_children/1                 WhichChildren(ctx, sup) -> []Child
//	supervisor:count_children/1                 CountChildren(ctx, sup) -> Counts
//	sup_flags #{strategy, intensity, period}    Flags{Strategy, MaxRestarts, Period}
//	default sup_flags (1 restart in 5 s)        the zero Flags (or DefaultFlags())
//	intensity => 0                              Flags{MaxRestarts: NoRestarts}
//	one_for_one, one_for_all, rest_for_one      OneForOne, OneForAll, RestForOne
//	simple_one_for_one                          StartDynamic with DynamicSpec.Template
//	DynamicSupervisor (max_children)            StartDynamic, DynamicSpec.MaxChildren
//	child_spec #{id, start, restart, ...}       ChildSpec{ID, Start, Restart, Shutdown, Type}
//	children = [{M, Arg}, ...] (Elixir)         GenServer(id, state), Subtree, DynamicSubtree,
//	                                            task.ChildSpec (helpers returning ChildSpec)
//	Supervisor.child_spec(spec, overrides)      spec.WithRestart(r), spec.WithShutdown(s)
//	permanent, transient, temporary             Permanent, Transient, Temporary
//	brutal_kill, infinity, Milliseconds         BrutalKill, Infinity, Shutdown(d)
//	worker, supervisor (child type)             Worker, SupervisorChild
//	auto_shutdown never/any_/all_significant    Never, AnySignificant, AllSignificant
//	significant => true                         ChildSpec.Significant
//	ignore (from a child's init)                process.ErrIgnored (genserver.Ignore)
//	{ok, undefined} (ignored start)             zero PID, nil error (from StartChild)
//	start result not {ok,Pid}|ignore|{error,_}  ErrBadStartReturn (zero PID and nil error)
//	{error, not_found}                          ErrNotFound
//	{error, running}                            ErrRunning
//	{error, restarting}                         ErrRestarting
//	{error, already_present}                    ErrAlreadyPresent
//	{error, {already_started, Pid}}             *AlreadyStartedError{ID, PID}
//	{error, simple_one_for_one}                 ErrSimpleOneForOne
//	{error, max_children}                       ErrMaxChildren
//	{error, {Reason, ChildSpec}} (start_child)  *StartChildError{ID, Reason}
//	{shutdown, {failed_to_start_child, Id, R}}  process.ShutdownWith(*StartChildError); BootError
//	bad child spec / sup flags                  *SpecError, matching ErrInvalidSpec and ErrInvalidArgument
//	reached_max_restart_intensity               exit reason process.Shutdown; IntensityReached
//	supervisor reports (logger)                 log/slog via WithLogger; events via WithEventHook
//
// # Semantics
//
// Start validates the whole spec first: an invalid one returns an error
// matching [ErrInvalidSpec] and starts nothing. The supervisor then
// starts its children one at a time in spec order, each start function
// returning once its child is ready, and Start returns once all have
// started. Children stop in the reverse order: on [Stop], when the
// supervisor's parent stops it, when it gives up, and on auto-shutdown.
//
// Stopping a child is OTP's shutdown: the supervisor sends it the exit
// signal [process.Shutdown] and waits up to the child's [Shutdown] time
// for it to die, then sends [process.Kill]. [BrutalKill] kills at once;
// [Infinity] waits as long as the child takes (the default for supervisor
// children, so a subtree stops in its own order). A child whose code
// ignores its context cannot be stopped by Go: once killed it is dead for
// the rest of the system, so the shutdown goes on, and the node reports
// its goroutine as a zombie ([process.Node.Zombies], and the telemetry
// event bridge.EventProcessZombie of package telemetry/bridge).
//
// A supervisor killed while it stops or starts a child (its parent's
// shutdown time for it ran out, or it was sent Kill) stops there, as
// OTP's does: it does not kill the child when the child's time runs out,
// stops no other child, starts, restarts or retries nothing, and
// publishes no event and logs no report. The child it was waiting for,
// unlinked before its shutdown signal, lives on as an orphan (the node's
// Stop shuts it down, then kills it); the children it had not reached
// get the exit signal [process.Killed] through their links.
//
// When a child exits, its restart type and exit reason decide: a
// permanent child is always restarted, a transient one only after an
// abnormal exit (not normal, shutdown or {shutdown, _}, see
// [process.IsNormalOrShutdown]), a temporary one never. A transient child
// that is not restarted keeps its spec (status Stopped); a temporary one
// is forgotten. The strategy decides what else restarts: [OneForOne] only
// the child, [OneForAll] every child, [RestForOne] the child and those
// started after it; the affected siblings are stopped in reverse order,
// temporary ones are dropped for good, and the group starts again in
// order, including members that were stopped.
//
// Every restart is counted, and more than MaxRestarts within Period make the
// supervisor give up: it publishes [IntensityReached], logs
// reached_max_restart_intensity, does not restart the child, stops the
// others and exits with reason [process.Shutdown]. Its parent sees that as
// a child exit: it restarts a permanent child supervisor (at the cost of
// one restart of its own) but not a transient one.
//
// A restart whose start function fails does not loop: the child is marked
// [Restarting] and the supervisor sends itself a retry message, queued
// behind the requests already waiting, which it serves first
// ([RestartChild] and [DeleteChild] then return [ErrRestarting];
// [TerminateChild] cancels the retry). Each retry counts toward the
// intensity, so a child that never starts again makes the supervisor give
// up. A failure at boot, by contrast, is never retried: the children
// already started are stopped in reverse order, the later ones never
// start, and Start returns process.ShutdownWith(*[StartChildError])
// (OTP's {shutdown, {failed_to_start_child, Id, Reason}}), nested for a
// nested supervisor; [BootError] unwraps it.
//
// A start function that returns [process.ErrIgnored] (a genserver whose
// Init returned genserver.Ignore) is not a failure. One that returns the
// zero PID with a nil error is: it names no process, so the start failed
// with [ErrBadStartReturn], at boot, from StartChild, for a dynamic child
// and on a restart alike (OTP takes any start result other than
// {ok, Pid}, ignore or {error, E} for the start's error). At boot and from
// StartChild a non-temporary child keeps its spec with no process and a
// temporary one is dropped; StartChild returns the zero PID. During a
// restart, ignore leaves the child stopped, with no retry.
//
// With [AnySignificant] or [AllSignificant], a significant child (transient
// or temporary) that exits and is not restarted stops the supervisor with
// reason shutdown: at the first such exit, or once no significant child
// runs. TerminateChild of a significant child does not trigger it.
//
// A dynamic supervisor is one_for_one. [DynamicSpec.MaxChildren] counts
// restarting children too. It stops its children all at once: each gets
// its shutdown signal (or Kill for BrutalKill) immediately, and one timer
// serves every child's deadline, so stopping 10,000 children takes one
// shutdown time, not 10,000.
//
// Every per-child operation of a dynamic supervisor costs the same with
// 10 children or 100,000 (its children are filed by PID number in chunks
// that children started one after another share). StartDynamicChild is
// OTP's start_child: a call to the supervisor, which starts the child and
// answers once the child's Init has run; that round trip and the
// hand-off to the child's Init are most of a start's cost
// (genserver.WithInlineInit in the start function saves the hand-off).
// A program that starts many temporary children, as package task does,
// can skip both with a [TemporaryStarter], which does not wait for the
// children's start: see bench's BenchmarkW6Dynamic for the figures.
//
// Every admin function is a call to the supervisor process. A supervisor
// that is not running fails it at once with a genserver.CallError matching
// [process.NoProc]; a call whose context has no deadline is bounded by one
// minute (starting or stopping a child may legitimately take long).
//
// The supervisor logs OTP-style reports through log/slog ([WithLogger],
// default the node's logger: process.Config.Logger, else slog.Default()) at error level, with the keys supervisor,
// errorContext (child_terminated, start_error, shutdown_error, shutdown),
// reason and offender (a group: id, pid, restart_type, shutdown,
// child_type). The child_terminated report is logged after the restart,
// so a slow log handler never delays a child's replacement. Each child
// start is a progress report at debug level (keys supervisor and started).
// Each [Event] reaches the [WithEventHook] function synchronously, inside
// the supervisor process, as it happens.
//
// # Differences from OTP
//
//   - Zero values mean OTP's defaults, so a spec written as a literal
//     works: the zero [Flags] are one_for_one with 1 restart in 5 s, and
//     the zero [ChildSpec.Shutdown] is 5 s for a worker, Infinity for a
//     supervisor child. Where OTP's zero intensity means "no restarts",
//     Orchard spells it MaxRestarts: [NoRestarts]: a Go programmer expects
//     a usable zero value, and a zero that meant "give up at the first
//     crash" took whole trees down by surprise.
//   - The intensity window uses exact durations: a restart counts while
//     now - then <= Period, at nanosecond resolution. OTP truncates both
//     to whole seconds, so its window is between Period and Period + 1 s.
//     The window keeps at most MaxRestarts+1 timestamps, so a restart
//     costs O(1) however long the supervisor has lived.
//   - The boot is bounded by one hour instead of infinity, so Start never
//     blocks forever on a stuck child.
//   - A restart [Backoff] (per child in [ChildSpec.Backoff], per supervisor
//     with [WithBackoff]; off by default, which is OTP's behaviour) delays
//     the restarts of a child that keeps failing, exponentially with a cap
//     and jitter, instead of restarting it as fast as the machine allows
//     until the intensity is reached. The intensity still counts every
//     restart as OTP does; the supervisor's own loop restarts the child
//     (a timer message to itself), a stopped or deleted child is never
//     revived by a stale one, and a shutdown cancels them.
//   - A per-spec dynamic supervisor follows Elixir's DynamicSupervisor
//     where it and OTP's simple_one_for_one differ: CountChildren's Specs
//     is the number of children (a template supervisor reports 1), and
//     TerminateChildPID of a pid that is no longer a child returns
//     ErrNotFound (a template supervisor returns nil for a dead pid, as
//     OTP does). Each of its children is stopped with its own Shutdown.
//   - StartChild of a failing child returns a *[StartChildError] instead of
//     {error, {Reason, ChildSpec}}; a panicking start function is a failed
//     start, not a supervisor crash.
//   - [TemporaryStarter] has no OTP counterpart: it starts temporary
//     children of a per-spec dynamic supervisor without a call per child
//     (the child is spawned on the supervisor's behalf, recorded where the
//     supervisor looks before handling anything, then let run), which is
//     how package task starts its tasks. It does not wait for the child's
//     start, and cannot enforce MaxChildren.
//   - There is no terminate_child by pid on static supervisors,
//     get_childspec, check_childspecs or code change.
//
// # Bad input
//
// Every function and method keeps the contract of docs/ERRORS.md: a nil
// node, parent, context or option, a sup that names nothing (nil, the
// zero PID, an empty name), an empty child id or the zero child PID
// returns an *[ArgumentError] matching [ErrInvalidArgument], and an
// invalid spec a *[SpecError], which matches it too. Nothing panics and
// nothing starts. The child-spec helpers cannot return an error: a bad
// id or option in them is reported when the spec is used.
//
// # Example
//
// A tree declared as data (see Example (TreeAsData) for a whole one):
// the zero Flags are one_for_one with 1 restart in 5 s, and each helper
// returns a ChildSpec whose Start links the child to the supervisor.
//
//	sup, err := supervisor.Start(node, supervisor.Spec{
//		Children: []supervisor.ChildSpec{
//			supervisor.GenServer("db", db{dsn: dsn}),
//			supervisor.GenServer("web", web{port: 8080}).WithShutdown(supervisor.Shutdown(10 * time.Second)),
//			supervisor.DynamicSubtree("sessions", supervisor.DynamicSpec{}, supervisor.WithName("sessions")),
//		},
//	})
//	...
//	kids, _ := supervisor.WhichChildren(ctx, sup) // sessions, web, then db
//	_ = supervisor.Stop(sup, process.Shutdown, time.Minute) // sessions, web, then db stop
//
// The closure form stays available for any other start:
//
//	{ID: "db", Start: func(p *process.Proc) (process.PID, error) {
//		return genserver.StartLink(p, &db{dsn: dsn})
//	}}
package supervisor
