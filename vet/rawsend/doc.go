// Package rawsend defines an Analyzer that reports raw sends to other
// processes in packages that require supervised delivery.
//
// # Analyzer rawsend
//
// rawsend: report raw sends to other processes where a package requires supervised send
//
// A raw send (Proc.Send, Proc.SendDest, Node.Send, Node.SendDest,
// genserver.Cast) is fire-and-forget: a full mailbox, a dead or
// unregistered destination and a dropped message are the sender's to
// notice. Package send delivers with a timeout, a confirmation level,
// retries with backoff and a dead-letter queue. A package opts in to the
// rule, the seed's "no raw send to other processes", with a directive in
// any of its files (doc.go is the place):
//
//	//orchard:supervised-send
//
// Then every raw send in its non-test files is reported, except a
// process's send to itself (s.Send(s.PID(), msg)).
//
//	// WRONG
//	err := s.Send(worker, job{})
//
//	// RIGHT
//	err := send.Send(s.Context(), worker, job{})
//
// The suggested fix makes exactly that rewrite for sends on a process's
// own handle (*process.Proc, *genserver.Self), adding the import of
// package send; Node sends and Cast have no process context to give and
// get no fix. Test files are not checked.
//
// # OTP map
//
//	OTP / Erlang / Foundation            Orchard rule
//	-----------------------------------  -------------------------------------------
//	Pid ! Msg, erlang:send/2              Proc.Send (reported in opted-in packages)
//	gen_server:cast/2                     genserver.Cast (reported likewise)
//	self() ! Msg                          s.Send(s.PID(), msg) (allowed)
//	Foundation SupervisedSend.send/3      send.Send(ctx, dest, msg, opts...)
package rawsend
