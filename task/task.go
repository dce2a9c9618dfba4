package task

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Task is a running or finished asynchronous computation made by [Async]
// or [AsyncNoLink]. Its result travels on a channel of its own, never
// through a mailbox. Await, Yield and Shutdown are meant for the task's
// owner (the goroutine or process that started it); a Task is not safe
// for concurrent use.
type Task[T any] struct {
	pid    process.PID
	node   *process.Node
	target rt.Target // zero when the task died before Async returned
	// self is the task's process as its body saw it: the fallback for
	// a task that died before Async could look it up.
	self     atomic.Pointer[process.Proc]
	owner    *process.Proc // the linked caller; nil if not linked
	ownerPID process.PID   // owner's PID; zero if not linked
	fn       func(context.Context) (T, error)
	// caller is the process that called Async, if any: Await gives up
	// when it dies.
	caller *process.Proc
	// link is the link handshake with owner (linkStarting → linkLinked by
	// the task, or linkStarting → linkAbandoned by the owner), or
	// linkLinked from the start when linkedAtStart: Async linked owner and
	// task before the task ran (supervisor.TemporaryStarter.StartLinked).
	link          atomic.Int32
	linkedAtStart bool
	// out is what fn returned, written by the task's body before its
	// process dies; published says it was. The owner reads out only once
	// the process is dead and published is set: a body still running
	// after a kill never publishes, so it never races the reader.
	out       outcome[T]
	published atomic.Bool
	expired   chan struct{} // capacity 1: a wait's deadline passed
	// dl bounds a wait without a runtime timer per wait (see
	// rt.Deadline).
	dl  rt.Deadline
	exp expiry[T]

	// The fields below are owned by the awaiting goroutine; no lock.
	finished bool
	val      T
	err      error
}

// outcome is what fn returned.
type outcome[T any] struct {
	val T
	err error
}

// expiry tells a waiting owner that its deadline passed.
type expiry[T any] struct{ t *Task[T] }

// Expire runs on the node's deadline goroutine; it never blocks.
func (e *expiry[T]) Expire() {
	select {
	case e.t.expired <- struct{}{}:
	default: // a stale expiry is there already
	}
}

const (
	linkStarting int32 = iota
	linkLinked
	linkAbandoned
)

// Async starts fn as a task under sup and returns at once, without
// waiting for fn (Task.Supervisor.async). When ctx belongs to a process
// (process.FromContext), the task is linked to it, as in OTP: if the task
// crashes, a caller that does not trap exits dies with the task's reason,
// and if the caller dies, the task does. A task that returns unlinks
// before it replies, so a trapping caller gets no Exit message for a
// normal end. fn's ctx is the task process's context. fn's error is a
// result, not a crash: Await returns it. A ctx that is already done fails
// the start; under [WithMaxChildren], ctx also bounds the start request to
// the supervisor. A nil ctx, sup or fn is an error matching
// [ErrInvalidArgument]; nothing is started.
func Async[T any](ctx context.Context, sup *Supervisor, fn func(ctx context.Context) (T, error)) (*Task[T], error) {
	return async("task: Async", ctx, sup, fn, true)
}

// AsyncNoLink is [Async] without the link (Task.Supervisor.async_nolink):
// a crash of the task never reaches the caller; Await returns it as an
// *[ExitError].
func AsyncNoLink[T any](ctx context.Context, sup *Supervisor, fn func(ctx context.Context) (T, error)) (*Task[T], error) {
	return async("task: AsyncNoLink", ctx, sup, fn, false)
}

func async[T any](op string, ctx context.Context, sup *Supervisor, fn func(context.Context) (T, error), link bool) (*Task[T], error) {
	if ctx == nil {
		return nil, argerr.Nil(op, "ctx")
	}
	if err := sup.check(op); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, argerr.Nil(op, "fn")
	}
	t := &Task[T]{node: sup.node, expired: make(chan struct{}, 1), fn: fn}
	t.exp.t = t
	if p, ok := process.FromContext(ctx); ok {
		t.caller = p
		if link {
			t.owner, t.ownerPID = p, p.PID()
		}
	}
	var (
		pid process.PID
		err error
	)
	if t.owner != nil && sup.starter != nil {
		// Linked before it runs: no window in which the task could die
		// unseen by its owner.
		t.link.Store(linkLinked)
		t.linkedAtStart = true
		if err = ctx.Err(); err == nil {
			pid, err = sup.starter.StartLinked((*asyncHandler[T])(t), t.owner)
		}
	} else {
		pid, err = sup.startHandler(ctx, (*asyncHandler[T])(t))
	}
	if err != nil {
		return nil, err
	}
	t.pid = pid
	t.target, _ = rt.LookupOn(sup.node, pid) // zero if it is already dead
	return t, nil
}

// asyncHandler runs an Async task: the Task itself is the process's
// handler, so starting one allocates no closure for its body. Its start
// does all the work on a pooled worker goroutine, as taskProc does.
type asyncHandler[T any] Task[T]

// HandleStart runs the task's function and publishes its outcome; the
// process ends when it returns, which is what wakes Await.
func (h *asyncHandler[T]) HandleStart(tp *process.Proc) error {
	t := (*Task[T])(h)
	t.self.Store(tp)
	if !t.ownerPID.IsZero() && !t.linkedAtStart {
		// Started through the supervisor's start_child: the task links
		// itself (see linkOwner).
		if err := t.linkOwner(tp, t.ownerPID); err != nil {
			return err
		}
	}
	t.out.val, t.out.err = t.fn(tp.Context())
	if !tp.Alive() {
		// fn returned because the process was stopped (its context is
		// cancelled at death): a dead process replies nothing, so Await
		// and Shutdown report the exit, not this late result.
		return process.Normal
	}
	if !t.ownerPID.IsZero() {
		tp.Unlink(t.ownerPID) // no Exit{normal} for a trapping owner
	}
	t.published.Store(true)
	return process.Normal
}

// HandleMessage drops messages: a task has no mailbox protocol.
func (*asyncHandler[T]) HandleMessage(*process.Proc, process.Msg) error { return nil }

// linkOwner links the task to its owner from the task's side. Why not from
// the owner's side in Async: the task may already have crashed by then, and
// spawn-and-link would no longer be atomic. The handshake with
// [Task.release] makes sure an owner that gave up on the task is never hit
// by its death.
func (t *Task[T]) linkOwner(tp *process.Proc, owner process.PID) error {
	if err := tp.Link(owner); err != nil {
		return process.ShutdownWith(ErrOwnerDown)
	}
	if !t.link.CompareAndSwap(linkStarting, linkLinked) {
		tp.Unlink(owner)
		return process.ShutdownWith(ErrOwnerDown)
	}
	return nil
}

// release unlinks the owner from the task so that stopping the task does
// not kill the owner. It reports whether the caller may stop the task: not
// when the task has not linked yet, since it then stops by itself (with
// ErrOwnerDown) without running fn.
func (t *Task[T]) release() bool {
	if t.owner == nil {
		return true
	}
	if t.link.CompareAndSwap(linkStarting, linkAbandoned) {
		return false
	}
	t.owner.Unlink(t.pid)
	return true
}

// PID returns the task's process (the zero PID for a nil Task).
func (t *Task[T]) PID() process.PID {
	if t == nil {
		return process.PID{}
	}
	return t.pid
}

// check returns the error of op on a Task not made by Async: a nil or
// zero Task is bad input.
func (t *Task[T]) check(op string) error {
	if t == nil {
		return argerr.Nil(op, "receiver")
	}
	if t.node == nil || t.expired == nil {
		return argerr.New(op, "receiver", "is the zero Task (use Async)")
	}
	return nil
}

// done returns a channel closed when the task process is dead.
func (t *Task[T]) done() <-chan struct{} {
	if t.target.Valid() {
		return t.target.Done()
	}
	if p := t.self.Load(); p != nil {
		return p.Done()
	}
	return closed // killed before its body ran
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// callerDone returns a channel closed when the calling process dies (nil,
// which blocks, when Async was not called from a process).
func (t *Task[T]) callerDone() <-chan struct{} {
	if t.caller == nil {
		return nil
	}
	return t.caller.Done()
}

func (t *Task[T]) reason() error {
	if t.target.Valid() {
		return t.target.Reason()
	}
	if p := t.self.Load(); p != nil {
		return p.Reason()
	}
	return process.NoProc
}

// settle records the end of a task whose process is dead: fn's outcome if
// the body published one before the death, else the exit reason (a
// panic, a kill, an abandoned link).
func (t *Task[T]) settle() {
	t.finished = true
	if t.published.Load() {
		t.val, t.err = t.out.val, t.out.err
		return
	}
	t.err = &ExitError{PID: t.pid, Reason: t.reason()}
}

// poll settles the task if it has ended, without blocking.
func (t *Task[T]) poll() bool {
	if t.finished {
		return true
	}
	select {
	case <-t.done():
		t.settle()
	default:
	}
	return t.finished
}

// wait waits up to timeout for the task to end and reports whether it did.
func (t *Task[T]) wait(timeout time.Duration) bool {
	if t.poll() || timeout <= 0 {
		return t.finished
	}
	select {
	case <-t.expired: // stale, from an earlier wait that ended otherwise
	default:
	}
	rt.StartDeadline(t.node, &t.dl, timeout, &t.exp)
	select {
	case <-t.done():
		t.settle()
	case <-t.expired:
	case <-t.callerDone():
	}
	rt.StopDeadline(t.node, &t.dl)
	return t.finished
}

// AwaitOption changes what [Task.Await] does.
type AwaitOption interface{ applyAwait(*awaitConfig) }

type awaitConfig struct{ keep bool }

type keepOnTimeout struct{}

func (keepOnTimeout) applyAwait(c *awaitConfig) { c.keep = true }

// KeepOnTimeout makes Await leave the task running when it times out,
// so that it can be awaited again (like Task.yield).
func KeepOnTimeout() AwaitOption { return keepOnTimeout{} }

// Await waits up to timeout for the task's result (Task.await) and returns
// fn's value and error. If the task died without a result it returns an
// *[ExitError] with the exit reason (wrapping a *[process.PanicError] for
// a panic); the death is seen at once, not at the timeout. On timeout it
// returns a *[TimeoutError], after killing the task (unlinked first, so
// the owner survives) unless [KeepOnTimeout] is given; it does not wait
// for the killed task's goroutine to return. It also returns early, with
// the calling process's exit reason, if the process that called Async
// dies. Awaiting a finished task returns the same result again. A
// timeout of zero or less only checks whether the task has ended.
//
// A nil or zero Task, or a nil option, is an error matching
// [ErrInvalidArgument]; the task is left alone.
func (t *Task[T]) Await(timeout time.Duration, opts ...AwaitOption) (T, error) {
	var zero T
	if err := t.check("task: Task.Await"); err != nil {
		return zero, err
	}
	var c awaitConfig
	for i, o := range opts {
		if o == nil {
			return zero, argerr.Nil("task: Task.Await", fmt.Sprintf("opts[%d]", i))
		}
		o.applyAwait(&c)
	}
	if t.wait(timeout) {
		return t.val, t.err
	}
	if t.caller != nil && !t.caller.Alive() {
		return zero, &ExitError{PID: t.caller.PID(), Reason: t.caller.Reason()}
	}
	err := &TimeoutError{PID: t.pid, After: timeout}
	if !c.keep {
		t.kill()
		t.finished, t.err = true, err
	}
	return zero, err
}

// kill stops the task at once, without hurting its owner.
func (t *Task[T]) kill() {
	if t.release() {
		_ = t.node.Exit(t.pid, process.Kill)
	}
}

// Yield waits up to timeout for the task to end (Task.yield) without
// stopping it. done is false, with a zero value and a nil error, when the
// task is still running; otherwise the results are Await's. A timeout of
// zero or less only checks. A nil or zero Task is an error matching
// [ErrInvalidArgument].
func (t *Task[T]) Yield(timeout time.Duration) (v T, done bool, err error) {
	if err := t.check("task: Task.Yield"); err != nil {
		return v, false, err
	}
	if t.wait(timeout) {
		return t.val, true, t.err
	}
	return v, false, nil
}

// Shutdown stops the task (Task.shutdown) and returns its result if it had
// one. It unlinks the owner, sends the task the exit signal
// [process.Shutdown], waits up to timeout for it to die, then kills it (a
// timeout of zero or less kills at once: brutal_kill). done is true when
// the task had ended by itself: with its result, or with an *[ExitError]
// when it had died of something else than this shutdown. A nil or zero
// Task is an error matching [ErrInvalidArgument].
func (t *Task[T]) Shutdown(timeout time.Duration) (v T, done bool, err error) {
	if err := t.check("task: Task.Shutdown"); err != nil {
		return v, false, err
	}
	if t.poll() {
		return t.val, true, t.err
	}
	if t.release() {
		reason := process.Shutdown
		if timeout <= 0 {
			reason = process.Kill
		}
		_ = t.node.Exit(t.pid, reason)
		if !t.wait(timeout) {
			_ = t.node.Exit(t.pid, process.Kill)
			t.wait(time.Minute) // the process dies at once; the goroutine need not have returned
		}
	} else {
		t.wait(timeout) // it stops by itself without running fn
	}
	if !t.finished {
		return v, false, nil
	}
	var ee *ExitError
	if errors.As(t.err, &ee) && (errors.Is(ee.Reason, process.Shutdown) ||
		errors.Is(ee.Reason, process.Killed) || isOwnerDown(ee.Reason)) {
		return v, false, nil
	}
	return t.val, true, t.err
}

func isOwnerDown(reason error) bool {
	var e *process.ShutdownError
	return errors.As(reason, &e) && e.Value == ErrOwnerDown
}
