package task

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
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
// With… functions of this package. An invalid option (and a nil one) is
// reported by the start that uses it, with an error matching
// [ErrInvalidArgument].
type Option interface{ apply(*config) error }

type config struct {
	name        string
	maxChildren int
	shutdown    supervisor.Shutdown
	logger      *slog.Logger
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// WithName registers the supervisor under a local name, which must not be
// empty.
func WithName(name string) Option {
	return optionFunc(func(c *config) error {
		if name == "" {
			return argerr.Empty("task: WithName", "name")
		}
		c.name = name
		return nil
	})
}

// WithMaxChildren caps the number of running tasks (Elixir's
// max_children); starting one more fails with [supervisor.ErrMaxChildren].
// Zero, the default, means no cap; a negative n makes the start fail with
// an error matching [ErrInvalidArgument].
func WithMaxChildren(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 0 {
			return argerr.New("task: WithMaxChildren", "n", fmt.Sprintf("must not be negative, got %d", n))
		}
		c.maxChildren = n
		return nil
	})
}

// WithShutdown sets how the supervisor stops its tasks when it stops
// (default 5 s, then kill; Elixir's :shutdown option): a positive
// duration, [supervisor.BrutalKill] or [supervisor.Infinity]. Any other
// negative value makes the start fail with an error matching
// [ErrInvalidArgument].
func WithShutdown(s supervisor.Shutdown) Option {
	return optionFunc(func(c *config) error {
		if s < 0 && s != supervisor.BrutalKill && s != supervisor.Infinity {
			return argerr.New("task: WithShutdown", "s", fmt.Sprintf("must be positive, BrutalKill or Infinity, got %d", int64(s)))
		}
		c.shutdown = s
		return nil
	})
}

// WithLogger sets where the supervisor's reports go (the crash of a task
// started with [Start] or [AsyncNoLink] is logged at error level, as OTP
// does). Default: the node's logger (process.Config.Logger, else
// slog.Default()); a nil l makes the start fail with an
// error matching [ErrInvalidArgument].
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) error {
		if l == nil {
			return argerr.Nil("task: WithLogger", "l")
		}
		c.logger = l
		return nil
	})
}

// StartSupervisor starts a task supervisor with no parent. It returns once
// the supervisor runs. A nil node or a nil or invalid option is an error
// matching [ErrInvalidArgument], a stopped node process.ErrNodeStopped;
// nothing is started then.
func StartSupervisor(node *process.Node, opts ...Option) (*Supervisor, error) {
	if node == nil {
		return nil, argerr.Nil("task: StartSupervisor", "node")
	}
	return start("task: StartSupervisor", node, nil, opts)
}

// StartSupervisorLink starts a task supervisor linked to parent, so that it
// stops when parent dies (and the reverse). A nil parent is an error
// matching [ErrInvalidArgument]; see [StartSupervisor] for the rest.
func StartSupervisorLink(parent *process.Proc, opts ...Option) (*Supervisor, error) {
	if parent == nil {
		return nil, argerr.Nil("task: StartSupervisorLink", "parent")
	}
	return start("task: StartSupervisorLink", parent.Node(), parent, opts)
}

func start(op string, node *process.Node, parent *process.Proc, opts []Option) (*Supervisor, error) {
	var c config
	for i, o := range opts {
		if o == nil {
			return nil, argerr.Nil(op, fmt.Sprintf("opts[%d]", i))
		}
		if err := o.apply(&c); err != nil {
			return nil, err
		}
	}
	if node.Stopped() {
		return nil, process.ErrNodeStopped
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
		//orchardvet:allow calltimeout StartSupervisor takes no context (as Task.Supervisor.start_link); the starter's one call is bounded by a minute
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
// supervisor (WhichChildren, CountChildren, TerminateChildPID); the zero
// PID for a nil Supervisor.
func (s *Supervisor) PID() process.PID {
	if s == nil {
		return process.PID{}
	}
	return s.pid
}

// Node returns the node the supervisor runs on (nil for a nil Supervisor).
func (s *Supervisor) Node() *process.Node {
	if s == nil {
		return nil
	}
	return s.node
}

// check returns the error of op on s when s is not a started supervisor:
// a nil or zero Supervisor is bad input.
func (s *Supervisor) check(op string) error {
	if s == nil {
		return argerr.Nil(op, "sup")
	}
	if s.node == nil || s.pid.IsZero() {
		return argerr.New(op, "sup", "is the zero Supervisor (use StartSupervisor)")
	}
	return nil
}

// Stop stops the supervisor and waits up to timeout for it to exit. Its
// tasks get the shutdown signal all at once and up to their shutdown time
// (see [WithShutdown]) before they are killed; a linked owner of an
// [Async] task sees the task exit with reason shutdown. Stop returns
// [ErrStopped] on every call after the first. A nil or zero Supervisor
// is an error matching [ErrInvalidArgument], and so is a timeout that is
// neither positive nor genserver.Infinity; the supervisor keeps running
// then.
func (s *Supervisor) Stop(timeout time.Duration) error {
	if err := s.check("task: Supervisor.Stop"); err != nil {
		return err
	}
	if timeout <= 0 && timeout != genserver.Infinity {
		return argerr.New("task: Supervisor.Stop", "timeout", fmt.Sprintf("must be positive or genserver.Infinity, got %v", timeout))
	}
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

var taskBehaviour = rt.Behaviour("task")

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
// A nil sup or fn is an error matching [ErrInvalidArgument]; nothing is
// started.
func Start(sup *Supervisor, fn func(ctx context.Context) error) (process.PID, error) {
	if err := sup.check("task: Start"); err != nil {
		return process.PID{}, err
	}
	if fn == nil {
		return process.PID{}, argerr.Nil("task: Start", "fn")
	}
	//orchardvet:allow calltimeout Start takes no context (as Task.Supervisor.start_child); the supervisor call has the node's configured timeout
	return sup.startChild(context.Background(), func(sp *process.Proc) (process.PID, error) {
		// A Func process, so fn may read its mailbox.
		return sp.Spawn(func(p *process.Proc) error { return fn(p.Context()) }, taskBehaviour, process.Linked())
	})
}
