// Package nakedgo defines an Analyzer that reports bare go statements in
// code that uses Orchard.
//
// # Analyzer nakedgo
//
// nakedgo: report bare go statements outside Orchard's runtime
//
// A goroutine started with a go statement has no parent: nobody sees it
// crash, nobody waits for it on shutdown, and a panic in it kills the whole
// program. In a package that uses Orchard, concurrent work runs as a
// supervised task (task.Start, task.Async) or as a supervisor child, so a
// failure becomes an exit reason that a supervisor handles.
//
//	// WRONG
//	go poll(ctx, url)
//
//	// RIGHT
//	task.Start(sup, func(ctx context.Context) error { return poll(ctx, url) })
//
// The runtime itself (package process and the module's internal packages)
// is where processes get their goroutines, so it is exempt; _test.go files
// are not checked (tests own their goroutines and goleak checks them).
// A deliberate go statement is kept with a directive giving the reason:
//
//	//orchardvet:allow nakedgo the reason
//
// There is no suggested fix: which supervisor should own the work is a
// design decision.
//
// # OTP map
//
//	OTP / Erlang                         Orchard rule
//	-----------------------------------  ----------------------------------------
//	spawn/1 outside a supervision tree   bare go statement (reported)
//	Task.Supervisor.start_child/2        task.Start(sup, fn)
//	supervisor:start_child/2             supervisor.StartChild(ctx, sup, spec)
package nakedgo
