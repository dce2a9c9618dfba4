// Package send implements supervised sending: delivery with a chosen
// confirmation, a timeout, retries with backoff, circuit breaking and an
// error policy, and broadcast to many recipients with a strategy.
//
// # Foundation mapping
//
// OTP's send (!) is fire-and-forget; this is Elixir Foundation's
// Foundation.SupervisedSend.
//
//	Foundation                                   Orchard
//	send_supervised(dest, msg, opts)             send.Send(ctx, dest, msg, opts...), (*Sender).Send
//	timeout: ms                                  WithTimeout(d) (default: timeouts key "send.deliver")
//	retries: n, backoff: ms                      WithRetries(n), WithBackoff(Backoff{...})
//	on_error: :raise | :log | :dead_letter | :ignore  WithOnError(Return | Log | DeadLetter | Ignore)
//	metadata: map                                WithMetadata(map[string]string)
//	(delivery confirmation)                      WithConfirm(Enqueued | Handled)
//	{:error, :noproc}                            *Error matching ErrNoProc (= process.NoProc)
//	{:error, :timeout}                           *Error matching ErrTimeout
//	{:error, :circuit_open}                      *Error matching ErrCircuitOpen (= breaker.ErrOpen)
//	broadcast_supervised(recipients, msg, opts)  send.Broadcast(ctx, recipients, msg, strategy, opts...)
//	strategy: :all_or_nothing | :best_effort | :at_least_one  AllOrNothing | BestEffort | AtLeastOne
//	dead letter queue                            DeadLetterSink (package deadletter implements it)
//	stats                                        (*Sender).Stats
//
// # Semantics
//
// A Sender reads its default timeouts ("send.deliver",
// "send.dead_letter"), its logger and its telemetry registry from the
// node a send runs on (the calling process's node, else the
// destination's: process.Config.Timeouts, process.Config.Logger,
// process.Config.Telemetry) unless [WithTimeouts], [WithLogger] or
// [WithTelemetry] gave it its own; timeouts.Default(), slog.Default() and
// telemetry.Default() serve only sends outside any node (from outside
// any process to a destination that does not resolve to a live process)
// and nodes given no such option. The package-level [Send] and [Broadcast] use [Default], a Sender
// with no settings of its own, so they too follow the node.
//
// A destination is a process.PID, a process.Name or a registry via-name.
// It is resolved again for every attempt, so a retry after a crash
// reaches the process a supervisor restarted under the same name. A
// process of a node in another program (package cluster) is confirmed
// by that node at both levels: its answer comes once the message is in
// the mailbox (Enqueued) or handled (Handled); a lost node fails the
// attempt with outcome [Crashed] (reason noconnection), so it is retried
// and, failing for good, dead-lettered, never lost silently.
//
// Confirmation levels:
//
//   - [Enqueued]: the destination is a live process and its mailbox
//     accepted the message. Any process can receive it; a GenServer gets
//     it in HandleInfo.
//   - [Handled]: the receiving GenServer ran HandleInfo for the message
//     and it returned nil. This uses genserver.Deliver, which reuses
//     genserver.Call's machinery (a pooled record, the node's deadline
//     sweeper, waiting on the receiver's death as a monitor does), so it
//     costs about a Call. HandleInfo, not HandleCast, so that a receiver
//     sees a sent message the same way at both levels. If HandleInfo
//     returns an error or panics, the server dies and the send fails with
//     [ErrCrashed], carrying the exit reason.
//
// With [WithRateLimit], every attempt first waits for the destination's
// rate limit (a [Gate] such as ratelimit.Limiter), within the send's
// timeout; a send it does not let through in time fails with outcome
// [RateLimited] ([ErrRateLimited]), not retried.
//
// Every attempt then asks the destination's circuit breaker
// ([WithBreakers]); an open breaker fails the send with [ErrCircuitOpen]
// at once and is not retried. The attempt's outcome is reported to the
// breaker: delivered is a success; no process, timeout, crash and full
// mailbox are failures; a cancelled or rejected attempt counts neither
// way. A failed attempt is retried, up to [WithRetries] times, only
// when its [Outcome] is retryable (no process, timeout, crash, full
// mailbox); bad input, a stopped node, a cancelled context or an open
// breaker are not. Between attempts the sender waits a [Backoff] delay
// (exponential, capped, with full or equal jitter); it gives up early when
// the send's timeout or the context's deadline would pass during the wait,
// and a cancelled context ends the wait. Send therefore never blocks
// beyond its timeout (the whole send, retries included) or its context.
//
// A send that fails for good produces a *[Error] with the [Outcome], the
// underlying reason and the number of attempts, then [OnError] decides:
// [Return] returns it, [Log] logs it (slog, warning) and returns it,
// [DeadLetter] hands a complete [Letter] to the Sender's [DeadLetterSink]
// and returns it, [Ignore] returns nil. Every send is counted ([Stats])
// and every outcome emits a telemetry event ([EventDelivered],
// [EventFailed], [EventRetry], [EventDeadLettered], [EventIgnored],
// [EventBroadcast]).
//
// Retries make delivery at-least-once: a Handled send that timed out may
// still be handled, and its retry then delivers the message twice.
//
// # Differences from Foundation
//
//   - Errors are Go values: Foundation's :raise is [Return] (the caller
//     decides), and [Log] and [DeadLetter] still return the error so
//     nothing is silently lost; only [Ignore] drops it, and counts it.
//   - Foundation confirms delivery with a synchronous call to the receiver;
//     [Handled] needs no extra callback: the GenServer loop recognises the
//     delivery and acknowledges it after HandleInfo.
//   - Broadcast sends in order from the caller's goroutine, not one task
//     per recipient. AllOrNothing checks every recipient before sending
//     (nothing is sent if one is dead or its breaker is open), but cannot
//     take back a delivery when a later recipient dies between the check
//     and its send; it then fails with [ErrIncomplete].
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): a nil context,
// destination or message, a zero PID, a bad option or strategy, and a nil
// Sender give an error matching [ErrInvalidArgument] and [ErrInvalidOption]
// (errors.As finds an *[ArgumentError]), and nothing is sent. A failed
// delivery is not bad input: it is an *[Error] matching its [Outcome].
//
// # Example
//
//	err := send.Send(ctx, registry.Via(reg, "billing"), Invoice{ID: 7},
//		send.WithConfirm(send.Handled),
//		send.WithRetries(3),
//		send.WithTimeout(2*time.Second),
//		send.WithOnError(send.Log))
package send
