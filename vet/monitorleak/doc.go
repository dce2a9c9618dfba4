// Package monitorleak defines an Analyzer that reports monitors a
// genserver creates and never removes.
//
// # Analyzer monitorleak
//
// monitorleak: report monitors created in a server with no Demonitor
//
// A monitor lives until its target dies or the monitoring process calls
// Demonitor. A server that monitors a process it stops caring about (a
// caller whose request is served, a worker whose job was cancelled) keeps
// the monitor, and later a Down message it no longer expects, for as long
// as the target lives: the leak the monitor manager exists to find.
//
// In a genserver callback type (a type with Init(*genserver.Self) error),
// a call to Monitor (on *process.Proc or *genserver.Self) is reported when
// its Ref is kept (in a variable or a field) but no method of the type, nor
// any function of the package they call, ever calls Demonitor; and when its
// Ref is discarded and the type does not handle process.Down (the server
// ignores the monitor entirely, and nothing ever ends it while the target
// lives).
//
//	// WRONG
//	func (w *watch) HandleCast(s *genserver.Self, msg any) error {
//		w.ref, _ = s.Monitor(msg.(process.PID))
//		return nil
//	}
//
//	// RIGHT: the server ends what it started, in a handler or in Terminate
//	func (w *watch) Terminate(s *genserver.Self, reason error) { s.Demonitor(w.ref, true) }
//
// Limits: the check is per type, not per path and not per Ref: one
// Demonitor anywhere in the type's handlers or Terminate satisfies every
// Monitor of the type, and a Ref passed to another package is trusted. A
// discarded Ref with process.Down handled is the OTP idiom of a monitor
// for the target's lifetime (monitoring a caller until it dies) and is not
// reported. Servers declared in _test.go files and processes that are not
// genservers are not checked; the
// monitors package (Manager.Monitor) tracks its own monitors and finds
// their leaks at run time. There is no suggested fix: where the monitor
// should end is a design decision.
//
// # OTP map
//
//	OTP / Erlang                     Orchard rule
//	-------------------------------  ---------------------------------------------
//	erlang:monitor(process, Pid)     Proc.Monitor(pid) in a server's callback
//	erlang:demonitor(Ref, [flush])   Proc.Demonitor(ref, true) in a handler or Terminate
//	{'DOWN', Ref, process, Pid, R}   process.Down handled in HandleInfo
package monitorleak
