// Package genserver implements OTP's gen_server behaviour on top of package
// process: a server process that owns its state, handles synchronous calls,
// asynchronous casts and plain messages one at a time, and runs a
// Terminate callback when it stops.
//
// A server is any value implementing [Server] (just Init). The optional
// interfaces [CallHandler], [CastHandler], [InfoHandler], [ContinueHandler]
// and [Terminator] add the other callbacks. The value is the state: its
// methods run one at a time in the server's process, so they need no
// locks. Callers use the typed [Call], and [Cast], [Reply] and [Stop].
//
// # OTP mapping
//
//	gen_server (OTP)                     Orchard
//	-----------------------------------  -------------------------------------------
//	gen_server:start/3,4                 Start(node, srv, opts...)
//	gen_server:start_link/3,4            StartLink(parent, srv, opts...)
//	{local, Name} in start               WithName(name)
//	{via, Mod, Name} in start            WithVia(name) (e.g. registry.Via)
//	{timeout, T} in start options        WithInitTimeout(d)
//	gen_server:call/2,3                  Call[R](ctx, dest, req, WithTimeout(d))
//	(a request typed with its reply)     Ask(ctx, dest, req), req embedding Req[R]
//	gen_server:cast/2                    Cast(dest, msg)
//	gen_server:reply/2                   Reply(from, v), ReplyError(from, err)
//	gen_server:stop/1,3                  Stop(dest, reason, timeout)
//	Mod:init/1                           Server.Init(s)
//	Mod:handle_call/3                    CallHandler.HandleCall(s, from, req)
//	Mod:handle_cast/2                    CastHandler.HandleCast(s, msg)
//	Mod:handle_info/2                    InfoHandler.HandleInfo(s, msg)
//	Mod:handle_continue/2                ContinueHandler.HandleContinue(s, cont)
//	Mod:terminate/2                      Terminator.Terminate(s, reason)
//	{reply, Reply, State}                return reply, nil from HandleCall
//	{noreply, State} (in handle_call)    s.NoReply(), later Reply(from, v)
//	{stop, Reason, Reply, State}         s.Stop(reason); return reply, nil
//	{stop, Reason, State}                s.Stop(reason), or return a non-nil error
//	{noreply, State, Timeout}            s.SetTimeout(d); HandleInfo gets Timeout{}
//	{noreply, State, {continue, C}}      s.Continue(c)
//	{ok, State, {continue, C}} (init)    s.Continue(c) in Init
//	ignore (from init)                   return Ignore; Start returns ErrIgnored
//	{stop, Reason} (from init)           return an error; Start returns *InitError
//	{error, {already_started, Pid}}      *AlreadyStartedError{PID}
//	exit({timeout, _}) of a call         *CallError matching ErrTimeout
//	exit({noproc, _}) of a call          *CallError matching process.NoProc
//	exit(calling_self)                   *CallError matching ErrCallingSelf
//	{'EXIT', Parent, Reason}             Terminate(s, Reason), then exit
//	(OTP-exact handling of abandoned)    HandleAbandoned()
//	(no counterpart: a bounded queue)    WithAdmission(Admission{...}), ErrOverloaded
//
// # Semantics
//
// Start and StartLink spawn the server process, run Init in it and return
// only after Init has finished: whatever Init did is visible when Start
// returns. Init's error comes back as an *[InitError] (a panic as an
// *InitError wrapping a *process.PanicError), [Ignore] as [ErrIgnored],
// and an Init that does not finish within the init timeout
// ([DefaultInitTimeout], [WithInitTimeout], or the [WithContext] context)
// makes Start kill the process and return an error matching [ErrTimeout].
// In every failure case the process is gone when Start returns (or is
// dying: a killed Init still has to return from its code).
//
// A call with neither a context deadline nor WithTimeout waits
// CallTimeoutKey ("genserver.call": 5 s times ORCHARD_TIMEOUT_FACTOR
// unless configured) of the callee node's timeout configuration
// (process.Config.Timeouts; timeouts.Default() only for a node without
// one). The node's configuration is read once per node and kept beside
// its pool of call records, so a call pays no lookup for it. [Deliver] sends a plain
// message and waits until HandleInfo returned (package send's Handled
// confirmation); a crash in HandleInfo is reported with its reason.
//
// [Call] sends the request and waits for the reply, the server's death, the
// call's timeout or the context, whichever comes first. It watches the
// callee for its whole duration, as gen_server:call monitors it: a callee
// that is dead, unregistered, or dies while handling the call fails the
// call at once with a *[CallError] carrying its exit reason, never with a
// timeout. The call ends at the earlier of [WithTimeout] and the context's
// deadline; with neither, after [DefaultCallTimeout]. A reply that arrives after the caller gave up is
// discarded: replies travel on a per-call slot, never through the caller's
// mailbox, so no stale reply is ever received by a later call or by the
// caller's process. An error returned by HandleCall (or sent with
// [ReplyError]) is returned by Call as is, and the server keeps running.
//
// Callbacks run one at a time. After each callback, the continues it
// scheduled with [Self.Continue] run, in order and before any other
// message; a stop requested with [Self.Stop] then happens (dropping the
// continues not run yet); otherwise the timeout set with [Self.SetTimeout]
// is armed, and any later message cancels it.
//
// A request type may declare its reply type by embedding [Req]: [Ask]
// infers the reply type from the request, so a caller expecting another
// type does not compile, and a server answering with [Req.Reply] cannot
// send another type either. [Call] stays the form for OTP-style requests
// (plain values with no declared reply type), checked at run time with
// [BadReplyError].
//
// Bad input keeps the contract of docs/ERRORS.md: a nil node, server,
// parent, context, request (Ask) or option, a destination that names
// nothing (nil, the zero PID, an empty name), an empty name option, or a
// duration that is neither positive nor [Infinity] where allowed makes the
// call return an *[ArgumentError] matching [ErrInvalidArgument] (also
// known as [ErrInvalidOption]); nothing panics, no process is started and
// no message is sent. [Reply] and [ReplyError] to the zero [From],
// [OnCallTimeout] with a nil node or function, and the methods of a nil
// [Self] do nothing.
//
// Terminate runs exactly when OTP runs terminate/2:
//
//   - on [Stop], with the reason asked for;
//   - when a callback returns a non-nil error, with that error as reason;
//   - when a callback panics, with a *process.PanicError reason;
//   - after [Self.Stop], with its reason (a HandleCall's reply is sent
//     after Terminate, as with {stop, Reason, Reply, State});
//   - when the server traps exits (TrapExit(true)) and receives an exit
//     signal from its parent, with the signal's reason. A server with no
//     parent (started with [Start]) treats an exit signal from outside any
//     process, such as the node's [process.Node.Stop], as coming from its
//     parent; so does a server whose parent is gone while its node stops.
//
// Terminate does not run when the server is killed ([process.Kill]), or
// when an exit signal it does not trap ends it: it dies at once with that
// reason. Init failing does not run Terminate either.
//
// A panic or error in Terminate replaces the exit reason; [Stop] then
// returns a *[StopError]. With [WithLogger], a server terminating with a
// reason other than normal, shutdown or {shutdown, _} logs an error report
// ("generic server terminating").
//
// # Differences from OTP
//
//   - HandleCall returns (reply, error): a non-nil error is returned to the
//     caller by Call, instead of being encoded as a {reply, {error, E}}
//     value. To crash the server from HandleCall, panic or call [Self.Stop].
//   - A failing or ignoring Init unlinks from the parent before the process
//     exits, so a parent that does not trap exits survives a failed
//     StartLink and gets the error from StartLink alone, and a trapping
//     parent gets no {'EXIT', Pid, normal} after ignore (the OTP 26
//     behaviour of proc_lib).
//   - The default init timeout is 5 s ([DefaultInitTimeout]) instead of
//     infinity: Start never blocks forever on a stuck Init.
//   - A call from outside any process is allowed; its [From.Caller] is the
//     zero PID.
//   - [Self.SetTimeout] with zero or a negative duration clears the timeout
//     instead of firing at once.
//   - There is no hibernate: an idle server holds no goroutine anyway (it
//     is a process.Handler), which is what hibernation buys in OTP.
//   - There is no code_change/format_status; servers are upgraded by
//     restarting them.
//   - Deadlines travel: a request carries its caller's deadline (its
//     timeout or its context's deadline), and [Self.Context] in HandleCall
//     (and in HandleInfo for a [Deliver]) carries it, so calls and
//     supervised sends made with it inherit the time left.
//   - A request whose caller has given up (deadline passed, context
//     cancelled, calling process dead) is discarded before its handler
//     runs, counted ([Dropped]) and reported ([OnCallDropped],
//     [EventCallDropped]): an OTP server that falls behind keeps answering
//     calls nobody waits for. A server that has fallen behind (requests
//     wait behind the one it takes) also discards a request with less
//     time left than the shortest of its last few requests took
//     ([CallDropped].Late): under sustained overload the request at the
//     head of the queue is always close to its deadline, and answering it
//     would only yield a late reply while the requests behind it expire.
//     The server reads the clock only while it is behind, so one that
//     keeps up pays nothing for either check. This is the default because
//     no caller can observe the first kind (after a timeout OTP promises
//     nothing about the request), and the second only when its request
//     would have been answered faster than each of the server's last few;
//     together they are what keeps an overloaded server's goodput up (W12
//     in docs/BENCHMARKS.md). [HandleAbandoned] restores OTP's behaviour
//     per server. The OTP conformance scenarios pass in both modes.
//   - Admission control, opt-in ([WithAdmission]): a server can bound the
//     calls and deliveries waiting for it, by number or by queueing delay;
//     a request beyond the bound fails at once with [ErrOverloaded] (an
//     *[OverloadError]) instead of queueing without limit as in OTP.
//
// # Example
//
// A counter server, started, called and stopped:
//
//	type counter struct{ n int }
//
//	func (c *counter) Init(s *genserver.Self) error { return nil }
//
//	func (c *counter) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
//		switch req {
//		case "incr":
//			c.n++
//			return c.n, nil
//		}
//		return nil, fmt.Errorf("unknown request %v", req)
//	}
//
//	node, _ := process.NewNode()
//	defer node.Stop(context.Background())
//	pid, _ := genserver.Start(node, &counter{})
//	n, err := genserver.Call[int](ctx, pid, "incr") // 1, nil
//	_ = genserver.Stop(pid, process.Normal, time.Second)
package genserver
