// Package task implements Elixir's Task and Task.Supervisor on top of
// packages process and supervisor: one-off computations that run as
// supervised processes, whose results come back as Go values.
//
// A task supervisor ([Supervisor]) is a dynamic supervisor of temporary
// children: tasks are never restarted, and they stop with it. [Start] runs
// a fire-and-forget task; [Async] and [AsyncNoLink] run one whose result
// is collected with [Task.Await], [Task.Yield] or [Task.Shutdown];
// [Stream] maps a function over an iter.Seq with bounded concurrency.
//
// # OTP mapping
//
//	Elixir                                  Orchard
//	--------------------------------------  -------------------------------------------
//	Task.Supervisor.start_link/1            StartSupervisor(node), StartSupervisorLink(parent)
//	Supervisor.stop(sup)                    (*Supervisor).Stop(timeout)
//	:max_children, :shutdown, :name         WithMaxChildren, WithShutdown, WithName
//	Task.Supervisor.start_child/2           Start(sup, fn)
//	Task.Supervisor.async/2                 Async(ctx, sup, fn) -> *Task[T]
//	Task.Supervisor.async_nolink/2          AsyncNoLink(ctx, sup, fn)
//	Task.await(task, timeout)               (*Task[T]).Await(timeout) (T, error)
//	Task.yield(task, timeout)               (*Task[T]).Yield(timeout) (T, done, error)
//	Task.shutdown(task, timeout)            (*Task[T]).Shutdown(timeout) (T, done, error)
//	Task.shutdown(task, :brutal_kill)       (*Task[T]).Shutdown(0)
//	Task.Supervisor.async_stream_nolink/4   Stream(ctx, sup, seq, fn, opts...) iter.Seq2[R, error]
//	:max_concurrency, :ordered              MaxConcurrency(n), Ordered(bool)
//	:timeout, :on_timeout                   Timeout(d), OnTimeout(FailStream | KillTask)
//	{:ok, value}                            value, fn's error
//	{:exit, reason}                         *ExitError{PID, Reason}
//	exit {:timeout, ...} from await         *TimeoutError (matches context.DeadlineExceeded)
//
// # Semantics
//
// Every task is a process started by the supervisor, linked to it, with
// restart type temporary; its function receives the process's context,
// which is cancelled the moment the process dies, and must select on it.
// A [Start] task is a Func process, so it may read its mailbox
// (process.FromContext(ctx).Receive); [Async] and [Stream] tasks run as
// message-driven processes on the node's pooled workers, which halves the
// cost of a short task, and must not call Receive. A function's error is
// a result, delivered to Await; a panic is a crash: the process dies with a *process.PanicError, which
// Await returns wrapped in an *[ExitError]. Nothing crashes the program.
//
// [Async] and [Stream] start a task without a round trip to the
// supervisor (a supervisor.TemporaryStarter): the task is spawned on the
// supervisor's behalf, linked to it, and recorded where the supervisor
// looks before handling anything, before the task can exit, so the
// supervisor lists, counts, reports and stops the task as one it started
// itself. Only under
// [WithMaxChildren] does every start ask the supervisor first (its
// start_child), since only the supervisor can enforce the cap. [Start]
// always asks it.
//
// A result never travels through a mailbox: the task stores it in the
// Task before its process dies, and Await waits for that death
// (watched by the runtime, like a monitor without a message), so a task that dies without a result is noticed at
// once, with its exit reason.
//
// [Async] called with the context of a process links the task to that
// process (its owner): a task crash kills an owner that does not trap
// exits, and the owner's death kills the task, as in OTP. The owner and
// the task are linked before the task runs (under [WithMaxChildren], where
// the supervisor spawns it, the task links itself before running its
// function), and the task unlinks before it replies, so a trapping owner
// gets no Exit message for a normal end. When Await times
// out it unlinks and kills the task (unless [KeepOnTimeout]); the owner
// survives. [AsyncNoLink] never links.
//
// [Stream] starts at most MaxConcurrency tasks at once and yields their
// results as an iter.Seq2; breaking out of the loop, a FailStream timeout,
// a failed start or the end of ctx stops the running tasks, and the loop
// returns once their goroutines have returned.
//
// # Errors
//
// Bad input never panics (docs/ERRORS.md): a nil *Supervisor, a nil
// function, a nil context, a nil or invalid option (WithMaxChildren(-1),
// MaxConcurrency(0), Timeout(0), ...) and a nil *Task give an error
// matching [ErrInvalidArgument]; a [Stream] yields that error as its only
// element. Starting a supervisor on a stopped node returns
// process.ErrNodeStopped and starts nothing.
//
// # Differences from OTP
//
//   - Await returns a *[TimeoutError] instead of exiting the caller, and
//     kills the task itself since the caller does not die.
//   - A task function returns (T, error); the error is a value, not a
//     crash. Only a panic or an exit signal crashes a task.
//   - Stream is async_stream_nolink: its tasks are not linked to the
//     caller, and a crashed item yields an *[ExitError]. In ordered mode,
//     finished results waiting for earlier ones count against
//     MaxConcurrency, so memory is bounded by it.
//   - A Task is meant for its owner, but Go cannot check which goroutine
//     calls Await; it is simply not safe for concurrent use.
//   - Stopping a killed task's goroutine is up to its function: one that
//     ignores its context keeps running (a zombie the node reports).
//
// # Example
//
//	sup, _ := task.StartSupervisor(node)
//	defer sup.Stop(5 * time.Second)
//	t, _ := task.Async(ctx, sup, func(ctx context.Context) (int, error) {
//		return 6 * 7, nil
//	})
//	v, err := t.Await(time.Second) // 42, nil
//
//	for r, err := range task.Stream(ctx, sup, slices.Values(urls), fetch, task.MaxConcurrency(8)) {
//		...
//	}
package task
