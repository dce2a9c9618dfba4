package schedule

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Scheduler is a handle on a scheduler process: its methods are calls to
// that process, safe from any goroutine. Get one from [Start],
// [StartLink] or [For].
type Scheduler struct {
	dest process.Dest
}

// For returns a handle on the scheduler process at dest (a PID, or the
// name given with [WithName]: node.Name(name)), for example one started
// by a supervisor through [StartFunc]. It does not check that the
// process exists: calls to a missing one fail. For has no error result:
// with a nil dest, or a zero PID, every method of the handle returns an
// error matching [ErrInvalidArgument] (docs/ERRORS.md §3), as on a nil
// *Scheduler.
func For(dest process.Dest) *Scheduler { return &Scheduler{dest: dest} }

// target returns the scheduler's destination, or the error for a nil
// Scheduler or a handle on nothing.
func (s *Scheduler) target(op string) (process.Dest, error) {
	if s == nil {
		return nil, invalidOption(op, "receiver", "is nil")
	}
	if s.dest == nil {
		return nil, invalidPID(op, "receiver", "is a handle on a nil destination")
	}
	if pid, ok := s.dest.(process.PID); ok && pid.IsZero() {
		return nil, invalidPID(op, "receiver", "is a handle on the zero PID")
	}
	return s.dest, nil
}

// Start starts a scheduler process on node, with no parent, and returns
// once it has reloaded its durable schedules (if it has a [WithStore]).
// Bad options or a nil node give an error matching [ErrInvalidOption]
// and [ErrInvalidArgument], a stopped node process.ErrNodeStopped
// (nothing is started); a store that cannot be listed gives the store's
// error (as a *genserver.InitError).
func Start(node *process.Node, opts ...Option) (*Scheduler, error) {
	const op = "schedule: Start"
	if node == nil {
		return nil, invalidOption(op, "node", "is nil")
	}
	return start(op, node, nil, opts)
}

// StartLink starts a scheduler process linked to parent, for a
// supervisor child; see [Start] and [StartFunc].
func StartLink(parent *process.Proc, opts ...Option) (*Scheduler, error) {
	const op = "schedule: StartLink"
	if parent == nil {
		return nil, invalidOption(op, "parent", "is nil")
	}
	return start(op, parent.Node(), parent, opts)
}

// StartFunc returns a start function for a supervisor child spec
// (supervisor.StartFunc) that runs [StartLink] with opts. Give the
// scheduler a name ([WithName]) to find it again after a restart.
func StartFunc(opts ...Option) func(parent *process.Proc) (process.PID, error) {
	return func(parent *process.Proc) (process.PID, error) {
		s, err := StartLink(parent, opts...)
		if err != nil {
			return process.PID{}, err
		}
		return s.PID()
	}
}

func start(op string, node *process.Node, parent *process.Proc, opts []Option) (*Scheduler, error) {
	var cfg config
	for i, o := range opts {
		if o == nil {
			return nil, invalidOption(op, fmt.Sprintf("opts[%d]", i), "is nil")
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if node.Stopped() {
		return nil, process.ErrNodeStopped
	}
	cfg.withDefaults(node)
	srv := &server{cfg: cfg, tel: cfg.telemetry}
	gopts := []genserver.StartOption{
		genserver.WithInitTimeout(cfg.storeTimeout + genserver.DefaultInitTimeout),
		genserver.WithSpawnOptions(rt.Behaviour("schedule")),
	}
	if cfg.name != "" {
		gopts = append(gopts, genserver.WithName(cfg.name))
	}
	var pid process.PID
	var err error
	if parent != nil {
		pid, err = genserver.StartLink(parent, srv, gopts...)
	} else {
		pid, err = genserver.Start(node, srv, gopts...)
	}
	if err != nil {
		return nil, err
	}
	return &Scheduler{dest: pid}, nil
}

// PID returns the scheduler process's PID (resolving a name now). A nil
// Scheduler, or a handle on nothing, gives an error matching
// [ErrInvalidArgument].
func (s *Scheduler) PID() (process.PID, error) {
	dest, err := s.target("schedule: Scheduler.PID")
	if err != nil {
		return process.PID{}, err
	}
	return dest.Resolve()
}

// After delivers msg to dest once, d from now. See [Scheduler.Every] for
// the owner, the options and the errors.
func (s *Scheduler) After(ctx context.Context, d time.Duration, dest process.Dest, msg any, opts ...ScheduleOption) (ID, error) {
	if d < 0 {
		return "", invalidOption("schedule: Scheduler.After", "d", fmt.Sprintf("must not be negative, got %v", d))
	}
	e := &entry{kind: After, spec: d.String()}
	return s.add(ctx, e, d, dest, msg, opts)
}

// Every delivers msg to dest every interval (plus [WithJitter]), the
// first time one interval from now, until the schedule is cancelled,
// its owner dies or the scheduler stops. It returns the schedule's id
// once the scheduler holds it (and, for a [Durable] one, once it is
// stored).
//
// The id is chosen by the caller before the call (the [WithID] id, else a
// random one), and a failed call returns it with the error: after a call
// that timed out, the scheduler may still have added the schedule, and
// the caller can Cancel that id, or retry with WithID(id), which fails
// with [ErrDuplicateID] instead of adding a second schedule.
//
// The owner is the process of ctx (process.FromContext), unless
// [WithOwner] or [WithoutOwner] says otherwise; durable schedules have
// none. Bad input (a nil ctx, dest or msg, a zero PID, a bad option or
// interval, a nil Scheduler) gives an error matching [ErrInvalidOption]
// and [ErrInvalidArgument]; a scheduler that is not running a
// *genserver.CallError. The call is
// bounded by ctx, or by genserver's default call timeout.
func (s *Scheduler) Every(ctx context.Context, interval time.Duration, dest process.Dest, msg any, opts ...ScheduleOption) (ID, error) {
	if interval <= 0 {
		return "", invalidOption("schedule: Scheduler.Every", "interval", fmt.Sprintf("must be positive, got %v", interval))
	}
	e := &entry{kind: Every, spec: interval.String(), interval: interval}
	return s.add(ctx, e, 0, dest, msg, opts)
}

// Cron delivers msg to dest at every time the standard cron expression
// expr matches (minute hour day-of-month month day-of-week, in the local
// time zone unless prefixed with CRON_TZ=Zone; descriptors such as
// @hourly, @daily and @every 90s are accepted). An expression that does
// not parse, or never matches, gives a *[CronError] (matching
// [ErrInvalidArgument]). See
// [Scheduler.Every] for the rest.
func (s *Scheduler) Cron(ctx context.Context, expr string, dest process.Dest, msg any, opts ...ScheduleOption) (ID, error) {
	sched, err := parseCron(expr, time.Now())
	if err != nil {
		return "", err
	}
	e := &entry{kind: Cron, spec: expr, cron: sched}
	return s.add(ctx, e, 0, dest, msg, opts)
}

func (s *Scheduler) add(ctx context.Context, e *entry, delay time.Duration, dest process.Dest, msg any, opts []ScheduleOption) (ID, error) {
	op := "schedule: Scheduler." + opName[e.kind]
	to, err := s.target(op)
	switch {
	case err != nil:
		return "", err
	case ctx == nil:
		return "", invalidOption(op, "ctx", "is nil")
	case dest == nil:
		return "", invalidOption(op, "dest", "is nil")
	case msg == nil:
		return "", invalidOption(op, "msg", "is nil")
	}
	if pid, ok := dest.(process.PID); ok && pid.IsZero() {
		return "", invalidPID(op, "dest", "is the zero PID")
	}
	var cfg scheduleConfig
	for i, o := range opts {
		if o == nil {
			return "", invalidOption(op, fmt.Sprintf("opts[%d]", i), "is nil")
		}
		if err := o.applySchedule(&cfg); err != nil {
			return "", err
		}
	}
	if cfg.durable && !cfg.owner.IsZero() {
		return "", invalidOption(op, "opts", "a durable schedule cannot have an owner")
	}
	if !cfg.owned && !cfg.durable {
		if p, ok := process.FromContext(ctx); ok {
			cfg.owner = p.PID()
		}
	}
	e.id, e.dest, e.msg, e.jitter, e.owner, e.durable = cfg.id, dest, msg, cfg.jitter, cfg.owner, cfg.durable
	if e.id == "" {
		e.id, e.generated = newID(), true
	}
	id, err := genserver.Call[ID](ctx, to, &addReq{e: e, delay: delay})
	if err != nil {
		return e.id, err // the id the schedule has if the scheduler took it
	}
	return id, nil
}

// opName names the Scheduler method that adds a schedule of each kind.
var opName = map[Kind]string{After: "After", Every: "Every", Cron: "Cron"}

// newID returns a random id of 16 hex digits.
func newID() ID { return ID(fmt.Sprintf("%016x", rand.Uint64())) }

// Cancel removes the schedule id: its timer is cancelled and, for a
// durable one, its record deleted (if that fails, the schedule stays and
// Cancel returns the store's error). A delivery already running is not
// stopped. An unknown id gives a *[NotFoundError]; an empty id, a nil ctx
// or a nil Scheduler an error matching [ErrInvalidArgument].
func (s *Scheduler) Cancel(ctx context.Context, id ID) error {
	const op = "schedule: Scheduler.Cancel"
	to, err := s.target(op)
	switch {
	case err != nil:
		return err
	case ctx == nil:
		return invalidOption(op, "ctx", "is nil")
	case id == "":
		return invalidOption(op, "id", "is empty")
	}
	_, err = genserver.Call[any](ctx, to, cancelReq{id: id})
	return err
}

// List returns the schedules, soonest first (then by id). A nil ctx or a
// nil Scheduler is an error matching [ErrInvalidArgument].
func (s *Scheduler) List(ctx context.Context) ([]Info, error) {
	const op = "schedule: Scheduler.List"
	to, err := s.target(op)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalidOption(op, "ctx", "is nil")
	}
	return genserver.Call[[]Info](ctx, to, listReq{})
}

// Stop stops the scheduler and waits for it, bounded by ctx (or 5 s).
// Running deliveries are stopped, timers cancelled; durable schedules
// stay in the store for the next start. A nil ctx or a nil Scheduler is
// an error matching [ErrInvalidArgument].
func (s *Scheduler) Stop(ctx context.Context) error {
	const op = "schedule: Scheduler.Stop"
	to, err := s.target(op)
	if err != nil {
		return err
	}
	if ctx == nil {
		return invalidOption(op, "ctx", "is nil")
	}
	timeout := genserver.DefaultCallTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(d), time.Millisecond)
	}
	return genserver.Stop(to, process.Normal, timeout)
}
