package task

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Supervisor is a task supervisor: a dynamic supervisor whose children
// are temporary task processes (Elixir's Task.Supervisor). Create one with
// [StartSupervisor] or [StartSupervisorLink] and stop it with
// [Supervisor.Stop]. Its methods are safe from any goroutine.
type Supervisor struct {
	node     *process.Node
	pid      process.PID
	shutdown supervisor.Shutdown
	stopped  atomic.Bool
	// starter starts Async and Stream tasks without a round trip to the
	// supervisor; nil with WithMaxChildren, whose cap only the
	// supervisor's own start_child can enforce.
	starter *supervisor.TemporaryStarter
}

// Option configures a task supervisor at start. Build options with the
// With… functions of this package.
type Option interface{ apply(*config) }

type config struct {
	name        string
	maxChildren int
	shutdown    supervisor.Shutdown
	logger      *slog.Logger
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithName registers the supervisor under a local name.
func WithName(name string) Option { return optionFunc(func(c *config) { c.name = name }) }

// WithMaxChildren caps the number of running tasks (Elixir's
// max_children); starting one more fails with [supervisor.ErrMaxChildren].
// Zero, the default, means no cap.
func WithMaxChildren(n int) Option {
	if n < 0 {
		panic("task: negative WithMaxChildren")
	}
	return optionFunc(func(c *config) { c.maxChildren = n })
}

// WithShutdown sets how the supervisor stops its tasks when it stops
// (default 5 s, then kill; Elixir's :shutdown option).
func WithShutdown(s supervisor.Shutdown) Option {
	return optionFunc(func(c *config) { c.shutdown = s })
}

// WithLogger sets where the supervisor's reports go (the crash of a task
// started with [Start] or [AsyncNoLink] is logged at error level, as OTP
// does). Default slog.Default().
func WithLogger(l *slog.Logger) Option { return optionFunc(func(c *config) { c.logger = l }) }

// StartSupervisor starts a task supervisor with no parent. It returns once
// the supervisor runs.
func StartSupervisor(node *process.Node, opts ...Option) (*Supervisor, error) {
	return start(node, nil, opts)
}

// StartSupervisorLink starts a task supervisor linked to parent, so that it
// stops when parent dies (and the reverse).
func StartSupervisorLink(parent *process.Proc, opts ...Option) (*Supervisor, error) {
	if parent == nil {
		panic("task: StartSupervisorLink with a nil parent")
	}
	return start(parent.Node(), parent, opts)
}

func start(node *process.Node, parent *process.Proc, opts []Option) (*Supervisor, error) {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	// Temporary children are never restarted, so the intensity is moot;
	// OTP's defaults keep the supervisor valid.
	spec := supervisor.DynamicSpec{Flags: supervisor.DefaultFlags(), MaxChildren: c.maxChildren}
	var sopts []supervisor.Option
	if c.name != "" {
		sopts = append(sopts, supervisor.WithName(c.name))
	}
	if c.logger != nil {
		sopts = append(sopts, supervisor.WithLogger(c.logger))
	}
	var (
		pid process.PID
		err error
	)
	if parent != nil {
		pid, err = supervisor.StartDynamicLink(parent, spec, sopts...)
	} else {
		pid, err = supervisor.StartDynamic(node, spec, sopts...)
	}
	if err != nil {
		return nil, err
	}
	s := &Supervisor{node: node, pid: pid, shutdown: c.shutdown}
	if c.maxChildren == 0 {
		s.starter, err = supervisor.NewTemporaryStarter(context.Background(), node, pid,
			supervisor.TemporarySpec{ID: "task", Shutdown: c.shutdown, Behaviour: "task"})
		if err != nil {
			_ = supervisor.Stop(pid, process.Shutdown, time.Minute)
			return nil, err
		}
	}
	return s, nil
}

// PID returns the supervisor's PID, for the admin functions of package
// supervisor (WhichChildren, CountChildren, TerminateChildPID).
func (s *Supervisor) PID() process.PID { return s.pid }

// Node returns the node the supervisor runs on.
func (s *Supervisor) Node() *process.Node { return s.node }

// Stop stops the supervisor and waits up to timeout for it to exit. Its
// tasks get the shutdown signal all at once and up to their shutdown time
// (see [WithShutdown]) before they are killed; a linked owner of an
// [Async] task sees the task exit with reason shutdown. Stop returns
// [ErrStopped] on every call after the first.
func (s *Supervisor) Stop(timeout time.Duration) error {
	if !s.stopped.CompareAndSwap(false, true) {
		return ErrStopped
	}
	return supervisor.Stop(s.pid, process.Shutdown, timeout)
}

// startChild starts a temporary child of s with start, which must spawn
// it linked to the supervisor. It waits for the supervisor to spawn it,
// bounded by ctx (or the supervisor package's one-minute bound when ctx
// has none).
func (s *Supervisor) startChild(ctx context.Context, start func(*process.Proc) (process.PID, error)) (process.PID, error) {
	return supervisor.StartDynamicChild(ctx, s.pid, supervisor.ChildSpec{
		ID:       "task",
		Start:    start,
		Restart:  supervisor.Temporary,
		Shutdown: s.shutdown,
	})
}

var taskBehaviour = process.WithBehaviour("task")

// startHandler starts h (a process.Starter) as a task: through the
// TemporaryStarter when there is one, else by the supervisor's
// start_child, bounded by ctx. A ctx that is already done fails it.
func (s *Supervisor) startHandler(ctx context.Context, h process.Handler) (process.PID, error) {
	if s.starter == nil {
		return s.startChild(ctx, func(sp *process.Proc) (process.PID, error) {
			return sp.SpawnHandler(h, process.Linked(), taskBehaviour)
		})
	}
	if err := ctx.Err(); err != nil {
		return process.PID{}, err
	}
	return s.starter.Start(h)
}

// taskProc runs a task's body as a message-driven process whose start
// does all the work. Why not a Func process: a handler runs on a pooled
// worker goroutine, whose stack is already grown, instead of a new
// goroutine per task, which halves the cost of a short task. The body may
// block as long as it likes; it only holds its own worker.
type taskProc process.Func

// HandleStart runs the body; the process ends when it returns.
func (t taskProc) HandleStart(p *process.Proc) error {
	if err := t(p); err != nil {
		return err
	}
	return process.Normal
}

// HandleMessage drops messages: a task has no mailbox protocol.
func (taskProc) HandleMessage(*process.Proc, process.Msg) error { return nil }

// Start starts fn as a supervised fire-and-forget task
// (Task.Supervisor.start_child) and returns its PID once the process
// exists; it does not wait for fn. fn's ctx is the task process's context,
// cancelled when the process dies. A nil return ends the task normally;
// an error or a panic is its exit reason, which the supervisor logs. The
// task is not linked to the caller and is never restarted. It is a Func
// process, so fn may read its mailbox through process.FromContext(ctx).
func Start(sup *Supervisor, fn func(ctx context.Context) error) (process.PID, error) {
	return sup.startChild(context.Background(), func(sp *process.Proc) (process.PID, error) {
		// A Func process, so fn may read its mailbox.
		return sp.SpawnLink(func(p *process.Proc) error { return fn(p.Context()) }, taskBehaviour)
	})
}
