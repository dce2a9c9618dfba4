// Package selftimer defines an Analyzer that reports processes that keep
// their own periodic timer.
//
// # Analyzer selftimer
//
// selftimer: report processes re-arming a private timer to themselves
//
// A process that sends itself a message with SendAfter and arms the next
// one when it arrives runs a private scheduler: its period, jitter and
// missed firings are invisible to the node, die with it, and are
// reimplemented in every such process. Periodic work belongs to the
// scheduler (package schedule: Every, After, Cron), which owns every
// timer of the node, cancels an owner's schedules when it dies, and
// delivers through supervised send.
//
// Reported: in a genserver callback type, SendAfter (on *process.Proc,
// *genserver.Self or *process.Node) to the server's own PID (s.PID(),
// p.PID()) in a handler (HandleCall, HandleCast, HandleInfo,
// HandleContinue) or in a function of the package a handler calls; in any
// other function with a *process.Proc, such a SendAfter inside a loop; in
// both cases only when the TimerRef is dropped (_, err := s.SendAfter(...)),
// the mark of a fire-and-forget tick. A timer whose TimerRef is kept is one
// the process manages, a deadline or a delay it may cancel (a check's
// timeout, a retry superseded by a newer one), and one timer armed once, in
// Init or outside a loop, is not periodic: neither is reported.
//
//	// WRONG
//	func (p *poller) HandleInfo(s *genserver.Self, msg any) error {
//		p.poll()
//		_, err := s.SendAfter(s.PID(), tick{}, time.Minute)
//		return err
//	}
//
//	// RIGHT: the scheduler delivers tick{} every minute
//	_, err := sched.Every(ctx, time.Minute, pid, tick{})
//
// Limits: the own PID is recognised as a PID() call on the process's
// handle, or, in a server, as a field its methods assign from one
// (m.self = s.PID()); a PID passed around otherwise is not followed. Orchard's runtime
// (package process, the module's internal packages) and the scheduler
// itself (package schedule) are exempt, and so are _test.go files. Timers that are not periodic work
// (a deadline racing a request, a UI frame tick) keep their SendAfter with
// //orchardvet:allow selftimer and the reason. There is no suggested fix.
//
// # OTP map
//
//	OTP / Erlang                                     Orchard rule
//	-----------------------------------------------  -----------------------------------
//	erlang:send_after(T, self(), tick) in handle_info  SendAfter(s.PID(), ...) in HandleInfo (reported)
//	timer:send_interval/3, a scheduler process        schedule.Scheduler.Every
package selftimer
