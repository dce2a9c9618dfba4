package task

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// TimeoutAction is what [Stream] does with an item that runs past its
// [Timeout] (Elixir's :on_timeout).
type TimeoutAction int

const (
	// FailStream stops the stream: it yields the *[TimeoutError] and
	// ends, stopping the tasks still running (Elixir's :exit). The
	// default.
	FailStream TimeoutAction = iota
	// KillTask kills the item's task; the item yields a *[TimeoutError]
	// and the stream goes on (Elixir's :kill_task).
	KillTask
)

// String returns Elixir's name for the action.
func (a TimeoutAction) String() string {
	switch a {
	case FailStream:
		return "exit"
	case KillTask:
		return "kill_task"
	}
	return "unknown"
}

// killGrace is how long a killed item keeps its slot while its goroutine
// finishes (a function that ignores its context never does).
const killGrace = time.Minute

// DefaultTimeout is a stream item's timeout when no [Timeout] is given
// (Elixir's 5000 ms).
const DefaultTimeout = 5 * time.Second

// StreamOption configures [Stream]. An invalid option (and a nil one) is
// reported by the Stream that uses it: it yields an error matching
// [ErrInvalidArgument] and runs nothing.
type StreamOption interface{ applyStream(*streamConfig) error }

type streamConfig struct {
	max       int
	unordered bool
	timeout   time.Duration
	onTimeout TimeoutAction
}

type streamOption func(*streamConfig) error

func (f streamOption) applyStream(c *streamConfig) error { return f(c) }

// MaxConcurrency bounds how many items run at once (default
// runtime.GOMAXPROCS(0)). An n below 1 is invalid: the Stream fails.
func MaxConcurrency(n int) StreamOption {
	return streamOption(func(c *streamConfig) error {
		if n < 1 {
			return argerr.New("task: MaxConcurrency", "n", fmt.Sprintf("must be at least 1, got %d", n))
		}
		c.max = n
		return nil
	})
}

// Ordered says whether results come in input order (true, the default) or
// in completion order.
func Ordered(ordered bool) StreamOption {
	return streamOption(func(c *streamConfig) error { c.unordered = !ordered; return nil })
}

// Timeout bounds each item's run (default [DefaultTimeout]). A d of zero
// or less is invalid: the Stream fails.
func Timeout(d time.Duration) StreamOption {
	return streamOption(func(c *streamConfig) error {
		if d <= 0 {
			return argerr.New("task: Timeout", "d", fmt.Sprintf("must be positive, got %v", d))
		}
		c.timeout = d
		return nil
	})
}

// OnTimeout sets what an item's timeout does (default [FailStream]). An
// action other than FailStream and KillTask is invalid: the Stream fails.
func OnTimeout(a TimeoutAction) StreamOption {
	return streamOption(func(c *streamConfig) error {
		if a != FailStream && a != KillTask {
			return argerr.New("task: OnTimeout", "a", fmt.Sprintf("unknown action %d", int(a)))
		}
		c.onTimeout = a
		return nil
	})
}

// Stream runs fn on every item of seq as tasks under sup, at most
// MaxConcurrency at a time, and yields each result with fn's error
// (Task.Supervisor.async_stream_nolink). The work starts when the
// returned sequence is iterated, and each iteration starts it again.
//
// A task that panics or dies yields an *[ExitError]; one that runs past
// its Timeout yields a *[TimeoutError] and, under [FailStream], ends the
// stream. When ctx is done the stream yields ctx's error and ends. A
// failed task start (the supervisor stopped, or WithMaxChildren reached)
// yields its error and ends the stream. Whenever the stream ends early,
// including when the consumer breaks out of the loop, the running tasks
// are stopped and the iteration returns only after their goroutines have
// (or, for code that ignores its context, after one minute).
//
// With Ordered (the default), results that finish early wait for the
// earlier ones, and they count against MaxConcurrency until yielded, so
// memory stays bounded; an item's timeout still counts from its start.
//
// Bad input (a nil ctx, sup, seq or fn, a nil or invalid option) makes
// the stream yield one error matching [ErrInvalidArgument] and end
// without reading seq or starting a task.
func Stream[T, R any](ctx context.Context, sup *Supervisor, seq iter.Seq[T], fn func(ctx context.Context, item T) (R, error), opts ...StreamOption) iter.Seq2[R, error] {
	c, err := streamArgs(ctx, sup, seq != nil, fn != nil, opts)
	if err != nil {
		return func(yield func(R, error) bool) {
			var zero R
			yield(zero, err)
		}
	}
	return func(yield func(R, error) bool) {
		r := &streamRun[T, R]{
			ctx: ctx, sup: sup, fn: fn, cfg: c, yield: yield,
			running: make(map[int]*slot, c.max),
			ready:   make(map[int]result[R]),
			// Every task sends exactly one completion and at most max
			// run at once; killed ones may still be finishing, so leave
			// room for twice as many.
			done: make(chan completion[R], 2*c.max),
			quit: make(chan struct{}),
		}
		defer r.stopAll()
		for item := range seq {
			for r.slots() >= c.max {
				if !r.step() {
					return
				}
			}
			if !r.spawn(item) {
				return
			}
			if !r.emit() {
				return
			}
		}
		for len(r.running) > 0 || len(r.ready) > 0 {
			if !r.step() {
				return
			}
		}
	}
}

// streamArgs checks Stream's arguments and returns its configuration.
func streamArgs(ctx context.Context, sup *Supervisor, hasSeq, hasFn bool, opts []StreamOption) (streamConfig, error) {
	const op = "task: Stream"
	c := streamConfig{max: runtime.GOMAXPROCS(0), timeout: DefaultTimeout}
	switch {
	case ctx == nil:
		return c, argerr.Nil(op, "ctx")
	case !hasSeq:
		return c, argerr.Nil(op, "seq")
	case !hasFn:
		return c, argerr.Nil(op, "fn")
	}
	if err := sup.check(op); err != nil {
		return c, err
	}
	for i, o := range opts {
		if o == nil {
			return c, argerr.Nil(op, fmt.Sprintf("opts[%d]", i))
		}
		if err := o.applyStream(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// streamRun is one iteration of a Stream; it lives on the consumer's
// goroutine, no lock.
type streamRun[T, R any] struct {
	ctx   context.Context
	sup   *Supervisor
	fn    func(context.Context, T) (R, error)
	cfg   streamConfig
	yield func(R, error) bool

	next    int // index of the next item to spawn
	emitted int // index of the next result to yield (ordered)
	// running holds the items whose task has not sent its completion,
	// killed ones included: their goroutine still counts.
	running map[int]*slot
	ready   map[int]result[R] // finished, waiting for their turn (ordered)
	done    chan completion[R]
	quit    chan struct{} // closed when the stream is over: late tasks stop sending
	timer   *time.Timer
	stopped bool // yield returned false or the stream failed
}

type slot struct {
	pid      process.PID
	deadline time.Time
	killed   bool // by a timeout; its result is already decided, and
	// deadline is then when its slot is given up
}

type result[R any] struct {
	val R
	err error
}

type completion[R any] struct {
	idx  int
	val  R
	err  error
	ok   bool          // fn returned
	proc *process.Proc // for the exit reason when !ok
}

func (r *streamRun[T, R]) slots() int { return len(r.running) + len(r.ready) }

// spawn starts the task of the next item.
func (r *streamRun[T, R]) spawn(item T) bool {
	idx := r.next
	r.next++
	done, quit, fn := r.done, r.quit, r.fn
	body := taskProc(func(tp *process.Proc) error {
		c := completion[R]{idx: idx, proc: tp}
		defer func() { // also on panic: the stream sees it at once
			select {
			case done <- c:
			case <-quit: // the stream is over; nobody reads done any more
			}
		}()
		c.val, c.err = fn(tp.Context(), item)
		c.ok = tp.Alive() // a result produced after the item was stopped is not one
		return nil
	})
	pid, err := r.sup.startHandler(r.ctx, body)
	if err != nil {
		r.fail(err)
		return false
	}
	r.running[idx] = &slot{pid: pid, deadline: time.Now().Add(r.cfg.timeout)}
	return true
}

// step waits for one event (a completion, a timeout, ctx) and yields what
// it can. It reports whether the stream goes on.
func (r *streamRun[T, R]) step() bool {
	if !r.emit() {
		return false
	}
	if len(r.running) == 0 {
		return true
	}
	timerC := r.armTimer()
	select {
	case c := <-r.done:
		r.complete(c)
	case <-timerC:
		if !r.expire() {
			return false
		}
	case <-r.ctx.Done():
		r.fail(context.Cause(r.ctx))
		return false
	}
	return r.emit()
}

// armTimer sets the timer to the earliest deadline of a live item.
func (r *streamRun[T, R]) armTimer() <-chan time.Time {
	var first time.Time
	for _, s := range r.running {
		if first.IsZero() || s.deadline.Before(first) {
			first = s.deadline
		}
	}
	if first.IsZero() {
		return nil
	}
	d := time.Until(first)
	if r.timer == nil {
		r.timer = time.NewTimer(d)
	} else {
		r.timer.Reset(d)
	}
	return r.timer.C
}

func (r *streamRun[T, R]) complete(c completion[R]) {
	s := r.running[c.idx]
	delete(r.running, c.idx)
	if s == nil || s.killed {
		return
	}
	res := result[R]{val: c.val, err: c.err}
	if !c.ok {
		select { // the runtime records the reason a moment after the body ends
		case <-c.proc.Done():
		case <-time.After(time.Minute):
		}
		res = result[R]{err: &ExitError{PID: s.pid, Reason: c.proc.Reason()}}
	}
	r.ready[c.idx] = res
}

// expire handles the items past their deadline.
func (r *streamRun[T, R]) expire() bool {
	now := time.Now()
	for idx, s := range r.running {
		if s.deadline.After(now) {
			continue
		}
		if s.killed {
			// Its code ignores its context: give its slot up, so the
			// stream is not stuck on it; the node reports the zombie.
			delete(r.running, idx)
			continue
		}
		terr := &TimeoutError{PID: s.pid, After: r.cfg.timeout}
		if r.cfg.onTimeout == FailStream {
			r.fail(terr)
			return false
		}
		s.killed = true
		s.deadline = now.Add(killGrace)
		_ = r.sup.node.Exit(s.pid, process.Kill)
		r.ready[idx] = result[R]{err: terr}
	}
	return true
}

// emit yields the results that may go out now.
func (r *streamRun[T, R]) emit() bool {
	if r.stopped {
		return false
	}
	if r.cfg.unordered {
		for idx, res := range r.ready {
			delete(r.ready, idx)
			if !r.yield(res.val, res.err) {
				r.stopped = true
				return false
			}
		}
		return true
	}
	for {
		res, ok := r.ready[r.emitted]
		if !ok {
			return true
		}
		delete(r.ready, r.emitted)
		r.emitted++
		if !r.yield(res.val, res.err) {
			r.stopped = true
			return false
		}
	}
}

// fail yields err as the stream's last element.
func (r *streamRun[T, R]) fail(err error) {
	if !r.stopped {
		r.stopped = true
		var zero R
		r.yield(zero, err)
	}
}

// stopAll stops the running tasks and waits for their goroutines to
// finish, so that an iteration leaves nothing behind.
func (r *streamRun[T, R]) stopAll() {
	defer close(r.quit)
	if r.timer != nil {
		r.timer.Stop()
	}
	for _, s := range r.running {
		if !s.killed {
			// Shutdown, not Kill: a task does not trap exits, so it dies
			// at once, and the supervisor does not report it as a crash.
			_ = r.sup.node.Exit(s.pid, process.Shutdown)
		}
	}
	if len(r.running) == 0 {
		return
	}
	bound := time.NewTimer(time.Minute)
	defer bound.Stop()
	for len(r.running) > 0 {
		select {
		case c := <-r.done:
			delete(r.running, c.idx)
		case <-bound.C:
			return // the node reports them as zombies
		}
	}
}
