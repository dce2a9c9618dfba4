// Package schedule implements the scheduler that owns all of a node's
// periodic work: one process that delivers a message to a destination
// after a delay ([Scheduler.After]), at a fixed interval with optional
// jitter ([Scheduler.Every]) or at the times of a cron expression
// ([Scheduler.Cron]), cancels the schedules of an owner that dies, and
// keeps the schedules asked to be durable in a [Store] so they survive a
// restart.
//
// # Foundation mapping
//
// OTP has no scheduler behaviour (erlang:send_after/3 and
// timer:apply_interval/4 are the parts it has); Elixir Foundation's
// SchedulerManager, a GenServer that owns every periodic job, is the
// model.
//
//	Foundation (Elixir)                      Orchard
//	---------------------------------------  ------------------------------------------------
//	SchedulerManager (GenServer, start_link) Start(node, opts...), StartLink(parent, opts...), StartFunc(opts...)
//	one-shot schedule                        (*Scheduler).After(ctx, d, dest, msg, opts...)
//	interval schedule, with jitter           (*Scheduler).Every(ctx, interval, dest, msg, WithJitter(j))
//	cron schedule                            (*Scheduler).Cron(ctx, expr, dest, msg, opts...)
//	cancel / list schedules                  (*Scheduler).Cancel(ctx, id), (*Scheduler).List(ctx)
//	delivery through supervised send         WithDeliverer(Deliverer), wired to package send
//	owner monitoring (Process.monitor/1)     the caller's process, WithOwner, WithoutOwner
//	persisted schedules                      Durable(), WithStore(NewMemoryStore() | OpenNodeStore(ctx, node, bucket) | NewKVStore(kv))
//	:telemetry events                        EventAdded, EventFired, EventDeliveryFailed, EventSkipped, EventCancelled, EventStoreFailed
//	erlang:send_after/3, cancel_timer/1      process.Proc.SendAfter / Node.CancelTimer, owned by the scheduler process
//
// # Semantics
//
// The scheduler is a GenServer. [Scheduler.After], [Scheduler.Every],
// [Scheduler.Cron], [Scheduler.Cancel] and [Scheduler.List] are calls to
// it, bounded by their context (or genserver's default call timeout).
// Each schedule is one process timer owned by the scheduler process
// (process.Proc.SendAfter): when the scheduler stops, is killed or is
// restarted by its supervisor, every timer dies with it, and no
// goroutine of the package outlives it. Robfig's cron library is used for
// parsing and for Schedule.Next only, never for its runner.
//
// A schedule's owner is, by default, the process the call's context
// belongs to (process.FromContext), so a schedule added from a process
// (a GenServer callback passes its Self.Context()) ends with it.
// [WithOwner] names another owner, [WithoutOwner] none. The scheduler
// monitors each owner once, however many schedules it owns; when it
// dies, all its schedules are cancelled ([EventCancelled] with reason
// [ReasonOwnerDown]) and their timers stopped. An owner that is already
// dead when the schedule is added cancels it at once.
//
// When a schedule fires, its destination (a PID, a process.Name, a
// registry via-name: any process.Dest) is resolved then, so a name
// follows a restarted process. With no [Deliverer], the message is sent
// from the scheduler process with a liveness-checked send (the
// destination is resolved and checked alive before the enqueue, as
// package send does), so a dead PID or an unregistered name is a failed
// delivery matching process.NoProc, never a silent drop. With [WithDeliverer], each delivery runs in a
// process of its own, linked to the scheduler and bounded by the
// delivery timeout, so a slow or retrying delivery never holds up other
// schedules; at most one delivery per schedule runs at a time, and a
// firing meanwhile is skipped ([EventSkipped], Info.Skipped). The
// application wires package send's supervised send as the Deliverer
// ([SendDeliverer]), with retries, backoff and OnError DeadLetter: a delivery that exhausts
// its retries is then kept as a dead letter by send, and its final error
// is reported by the scheduler. Every failed delivery (the Deliverer's
// error, a panic in it, the timeout) is reported as
// [EventDeliveryFailed] and to the [WithOnFailure] hook, including the
// one delivery of an After (Failure.Last); a repeating schedule goes on.
//
// An Every fires one interval after it is added, then one interval after
// each firing (the jitter, uniform in [0, J], is added to each delay). A
// Cron fires at each time its expression matches after the previous
// firing, plus jitter; standard five-field expressions, descriptors
// (@hourly, @daily, @every 90s) and a CRON_TZ= prefix are accepted, and
// an expression that does not parse or never matches is a *[CronError].
//
// # Durability
//
// A schedule added with [Durable] is written to the scheduler's [Store]
// before the call returns, and deleted when it is cancelled or, for an
// After, once its delivery has ended. Its destination must be a
// process.Name or a [RegistryName] (a PID is refused with a
// *[NotDurableError]) and its message's type must be registered in the
// [Codec] (messages are stored as JSON under a registered type name).
// Durable schedules have no owner.
//
// When a scheduler with a store starts, it reloads every record before
// Start returns. Misfire policy: an After whose time passed while no
// scheduler ran fires once, at start; a later one keeps its time. Every
// and Cron do not catch up on missed runs: they compute their next time
// from the start. Delivery of an After is therefore at least once: a
// crash between its delivery and the deletion of its record delivers it
// again after the restart. A record that cannot be rebuilt (unknown
// message type, destination kind without [WithRegistry]) is reported as
// [EventStoreFailed] and left in the store. [OpenNodeStore] keeps records
// in a JetStream KV bucket of the node's one engine (configured once with
// engine.Configure, started by its first user, stopped by the
// application's Stop after the scheduler), the same engine that keeps
// the dead letters; [OpenKVStore] and [NewKVStore] do the same in a
// JetStream or a bucket of the caller's. Deliveries go only to a live
// process: the check is the module-internal package live's, shared with
// the dead-letter queue.
//
// # Differences from Foundation
//
//   - Schedules are identified by string ids ([ID]), generated by the
//     caller's side before the call or given with [WithID], instead of
//     references, so a durable schedule keeps its id across restarts,
//     re-adding it is detected ([ErrDuplicateID]), and an add whose call
//     timed out still returns the id to cancel or retry with.
//   - Retries, backoff and dead letters belong to the Deliverer
//     (package send), which runs in a delivery process; the scheduler
//     only reports the final outcome. Overlapping firings of one
//     schedule are skipped rather than queued.
//   - Missed runs of Every and Cron are not replayed after a restart.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): a nil context,
// destination or message, a zero PID, an empty id, a bad option, a
// malformed cron expression, a message the codec cannot take, and calls on
// a nil *[Scheduler], *[Codec] or store give an error matching
// [ErrInvalidArgument] (option errors match [ErrInvalidOption] as well;
// *[CronError], *[CodecError] and *[NotDurableError] keep their detail).
// Start refuses a stopped node with process.ErrNodeStopped and starts
// nothing.
//
// # Example
//
//	s, _ := schedule.Start(node, schedule.WithName("scheduler"))
//	id, err := s.Every(ctx, time.Minute, node.Name("janitor"), Sweep{}, schedule.WithJitter(5*time.Second))
//	_, err = s.Cron(ctx, "0 6 * * 1-5", node.Name("reports"), Daily{})
//	infos, _ := s.List(ctx)
//	_ = s.Cancel(ctx, id)
//
// Under a supervisor, delivering through supervised send:
//
//	deliver := schedule.SendDeliverer(sender, // a send.Sender with a dead-letter sink
//		send.WithConfirm(send.Handled), send.WithRetries(3), send.WithOnError(send.DeadLetter))
//	spec := supervisor.ChildSpec{ID: "scheduler", Start: schedule.StartFunc(
//		schedule.WithName("scheduler"), schedule.WithDeliverer(deliver),
//		schedule.WithStore(schedule.NewKVStore(kv)), schedule.WithCodec(codec))}
//	// elsewhere: schedule.For(node.Name("scheduler")).After(ctx, time.Hour, dest, msg)
package schedule
