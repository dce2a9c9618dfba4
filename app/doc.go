// Package app implements OTP's application: a named set of supervision
// trees and services on one node, started in order, stopped in reverse
// order on request, on SIGINT/SIGTERM or when a tree dies, with a bounded,
// logged graceful shutdown and a meaningful exit code.
//
// An application is a [Spec]: a name and [Part]s in start order. A part is
// a static supervision tree (a supervisor.Spec) or a start function that
// returns a root process (a dynamic supervisor, a lone genserver). [New]
// checks the spec; [App.Start] starts the parts; [App.Stop] stops them;
// [App.Run] does both around a wait and is what main calls; [ExitCode]
// turns its result into the program's exit code.
//
// # OTP mapping
//
//	OTP                                     Orchard
//	--------------------------------------  ------------------------------------------
//	.app file, {mod, {M, Args}}             Spec{Name, Parts}
//	Mod:start/2 returning {ok, TopSup}      Part.Tree (supervisor.Start) or Part.Start
//	application:start/1,2                   App.Start(ctx)
//	application:stop/1                      App.Stop(ctx)
//	Mod:prep_stop/1, Mod:stop/1             App.RegisterOnStop (runs after the trees)
//	application_master                      App (a Go value, no process; see below)
//	application_controller                  App.Run: waits for a signal, a stop or a
//	                                        root's death, then stops the application
//	init:stop/0 on SIGTERM (OTP 19+)        App.Run on SIGINT/SIGTERM, WithSignals
//	shutdown_timeout of init:stop           WithShutdownTimeout (default 15 s)
//	permanent application                   every App: a root that exits, for any
//	                                        reason, stops the application; Run
//	                                        returns *ExitError, ExitCode 1
//	transient application                   not offered: a root that exits with
//	                                        normal or shutdown also stops it (a
//	                                        supervisor that gave up exits with
//	                                        shutdown too, so the two cannot be told
//	                                        apart by reason)
//	temporary application                   not offered: wrap the tree as a
//	                                        Temporary child of a part's supervisor
//	{error, {R, {App, start, ...}}}         *StartError{Part, Err}, ExitCode 3
//	"application: X exited: R"              *ExitError{Part, Reason}, ExitCode 1
//	(node killed after shutdown_timeout)    *StopError{Parts}, ExitCode 2, then Kill
//
// # Semantics
//
// Start starts the parts one at a time, in order; each start function
// returns once its root and everything below it is up, so a part may rely
// on every part before it. If a part fails, the parts already started are
// stopped in reverse order and Start returns a *[StartError] naming the
// failed part. Roots are started without a parent: the App owns them
// through their PIDs and watches each for its death.
//
// Stop stops the parts one at a time in reverse start order, each with
// supervisor.Stop(root, process.Shutdown, time left), so each tree stops
// its own children in reverse order. The whole stop is bounded by the
// caller's ctx, or by the shutdown timeout when ctx has no deadline. Every
// step is logged through log/slog (keys application, part, pid, took) and
// reported to the [WithStopHook] hook. Stop is idempotent: later calls
// return [ErrStopped]. The OnStop hooks run after the parts stopped.
// Parts still running when the time is up are listed in a *[StopError];
// [App.Kill] kills them (net/http's Shutdown and Close).
//
// # The node's environment
//
// An application runs on a node and uses that node's environment
// (ARCHITECTURE.md): its logger (process.Config.Logger, unless [WithLogger] is given), its
// timeout configuration (process.Config.Timeouts) and the resources the node
// owns besides its processes, of which today the one embedded NATS engine
// (package engine) that dead letters and durable schedules share. Those
// resources are opened on first need by the parts that use them and closed
// by Stop last, after every part stopped and the OnStop hooks ran, in
// the reverse of the order they were opened, so no part outlives the
// engine it writes to. Stop closes them only when every part stopped and
// no other process runs on the node (anything still running may use
// them); otherwise, and after a failed Start (the node may start another
// application) or a Kill, they stay open until process.Node.Stop closes
// them. An App reads that environment through
// the module-internal package nodeenv and imports nothing but the
// standard library and core packages.
//
// Run starts the application, then waits (one reflect.Select over ctx,
// the signal channel, the stop request and every root's Done channel; no
// goroutine) for the first reason to stop: ctx done, SIGINT or SIGTERM
// (or a value on the [WithSignals] channel), Stop or Kill called
// elsewhere, or a root exiting on its own. It stops the application with
// the shutdown timeout, kills what is left if that timed out, and returns
// nil for a requested stop, an *[ExitError] when a root died, a
// *[StartError] when the start failed, joined with a *[StopError] when the
// shutdown timed out. [ExitCode] maps these to 0, 1, 3 and 2.
//
// This package starts no goroutine (os/signal runs its own single
// watcher), and every wait in it is bounded as described above.
//
// # Errors
//
// Bad input never panics (docs/ERRORS.md): a nil node, a nil *App, a nil
// context, a nil option or stop hook, and an invalid spec give an error
// matching [ErrInvalidArgument] (*[SpecError] and *[OptionError] match it
// too). [New] on a stopped node returns process.ErrNodeStopped and makes
// nothing.
//
// # Differences from OTP
//
//   - There is no application_master process: the App is a Go value that
//     owns its roots by PID, like net/http.Server owns its listeners. A
//     root is not linked to anything, so the App learns of its death by
//     watching it, not by an exit signal.
//   - One App is one application; there is no application controller
//     running several applications with start dependencies. Start them in
//     order yourself, or make them parts of one App.
//   - Every application is permanent (see the table). The program decides
//     what "the node stops" means: Run returns, main exits with ExitCode.
//   - OTP waits for a top supervisor forever (shutdown infinity); Orchard
//     bounds every stop and reports what did not stop.
//   - An App is used once: after Stop it cannot be started again (OTP can
//     restart a stopped application). Build a new one.
//   - Stop notices a cancelled ctx between parts; within a part it waits up
//     to ctx's deadline, because supervisor.Stop takes a timeout.
//
// # Example
//
//	a, err := app.New(node, app.Spec{
//		Name: "shop",
//		Parts: []app.Part{
//			{Name: "storage", Tree: storageTree},
//			{Name: "web", Tree: webTree},
//		},
//	}, app.WithShutdownTimeout(10*time.Second),
//		app.WithStopHook(func(part string, took time.Duration, err error) {
//			fmt.Printf("stopped %s in %v (%v)\n", part, took, err)
//		}))
//	if err != nil {
//		return err
//	}
//	err = a.Run(ctx) // until ctx is done, SIGINT/SIGTERM, or a tree dies
//	os.Exit(app.ExitCode(err))
package app
