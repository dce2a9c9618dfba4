package health

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Start starts a health monitor on node, with no parent, and returns once
// its checks are registered (their first runs start right after). It
// returns an error matching [ErrInvalidCheck] or [ErrDuplicate] for a bad
// configuration (and [ErrInvalidArgument] for it or a nil node),
// process.ErrNodeStopped for a stopped node (nothing is started), and
// genserver's start errors otherwise.
func Start(node *process.Node, cfg Config) (process.PID, error) {
	const op = "health: Start"
	if err := checkNode(op, node); err != nil {
		return process.PID{}, err
	}
	srv, opts, err := newMonitor(op, node, cfg)
	if err != nil {
		return process.PID{}, err
	}
	return genserver.Start(node, srv, opts...)
}

// StartLink starts a health monitor linked to parent; see [Start]. It has
// the shape of a supervisor start function (see [StartFunc]).
func StartLink(parent *process.Proc, cfg Config) (process.PID, error) {
	const op = "health: StartLink"
	if parent == nil {
		return process.PID{}, argerr.Nil(op, "parent")
	}
	if parent.Node().Stopped() {
		return process.PID{}, process.ErrNodeStopped
	}
	srv, opts, err := newMonitor(op, parent.Node(), cfg)
	if err != nil {
		return process.PID{}, err
	}
	return genserver.StartLink(parent, srv, opts...)
}

// Register adds check to the monitor dest and starts its first run. It
// returns an error matching [ErrInvalidCheck] or [ErrDuplicate]; a nil
// ctx or dest, and a bad check, match [ErrInvalidArgument].
func Register(ctx context.Context, dest process.Dest, check Check) error {
	const op = "health: Register"
	if err := checkCall(op, ctx, dest); err != nil {
		return err
	}
	if err := check.validate(op, "check"); err != nil {
		return err
	}
	_, err := genserver.Call[struct{}](ctx, dest, registerReq{check: check.withDefaults()})
	return err
}

// RunNow starts a run of the check name at once unless one is running;
// it does not wait for the result (use [Get]). The check's next periodic
// run is counted from the end of this one. A nil ctx or dest, or an empty
// name, is an error matching [ErrInvalidArgument].
func RunNow(ctx context.Context, dest process.Dest, name string) error {
	const op = "health: RunNow"
	if err := checkCall(op, ctx, dest); err != nil {
		return err
	}
	if name == "" {
		return argerr.Empty(op, "name")
	}
	_, err := genserver.Call[struct{}](ctx, dest, runNowReq{name: name})
	return err
}

func newMonitor(op string, node *process.Node, cfg Config) (*monitor, []genserver.StartOption, error) {
	if err := cfg.withDefaults(op, node); err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for i, c := range cfg.Checks {
		if err := c.validate(op, fmt.Sprintf("cfg.Checks[%d]", i)); err != nil {
			return nil, nil, err
		}
		if seen[c.Name] {
			return nil, nil, fmt.Errorf("%w: %q", ErrDuplicate, c.Name)
		}
		seen[c.Name] = true
	}
	m := &monitor{cfg: cfg, base: newBase(cfg.Telemetry, cfg.History, "check", EventCheckStatusChanged)}
	return m, nameOptions(cfg.Name, cfg.Via), nil
}

func nameOptions(name string, via genserver.Registrar) []genserver.StartOption {
	var opts []genserver.StartOption
	if name != "" {
		opts = append(opts, genserver.WithName(name))
	}
	if via != nil {
		opts = append(opts, genserver.WithVia(via))
	}
	return append(opts, genserver.WithSpawnOptions(rt.Behaviour("health.monitor")))
}

// monitor is the health monitor's server. Owned by its process; no lock.
type monitor struct {
	base
	cfg   Config
	runs  map[string]*checkRun
	byPID map[process.PID]*checkRun
}

// checkRun is the scheduling state of one check.
type checkRun struct {
	spec    Check
	state   *tracked
	gen     uint64      // generation of the current or last run
	pid     process.PID // the running check's process; zero when idle
	timeout process.TimerRef
	next    process.TimerRef
}

// Messages of the monitor's own process.
type (
	startAll    struct{}
	registerReq struct{ check Check }
	runNowReq   struct{ name string }
	runMsg      struct {
		name string
		gen  uint64
	}
	doneMsg struct {
		name string
		gen  uint64
		err  error
		dur  time.Duration
	}
	timeoutMsg struct {
		name string
		gen  uint64
	}
)

// Init registers the configured checks and schedules their first runs.
// The monitor traps exits: a crashing check is a result, not its death.
func (m *monitor) Init(s *genserver.Self) error {
	s.TrapExit(true)
	m.self = s.PID()
	m.runs = map[string]*checkRun{}
	m.byPID = map[process.PID]*checkRun{}
	for _, c := range m.cfg.Checks {
		if _, err := m.addCheck(c.withDefaults()); err != nil {
			return err
		}
	}
	s.Continue(startAll{})
	return nil
}

// HandleContinue starts the first runs of the configured checks.
func (m *monitor) HandleContinue(s *genserver.Self, _ any) error {
	for _, c := range m.cfg.Checks {
		m.start(s, m.runs[c.Name])
	}
	return nil
}

// HandleCall answers reports, registrations and manual runs.
func (m *monitor) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case reportReq:
		return m.report(r), nil
	case registerReq:
		run, err := m.addCheck(r.check)
		if err != nil {
			return nil, err
		}
		m.start(s, run)
		return struct{}{}, nil
	case unregisterReq:
		return struct{}{}, m.unregister(s, r.name)
	case runNowReq:
		run, ok := m.runs[r.name]
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrNotFound, r.name)
		}
		if run.pid.IsZero() {
			s.Node().CancelTimer(run.next)
			m.start(s, run)
		}
		return struct{}{}, nil
	}
	return nil, fmt.Errorf("health: unknown request %T", req)
}

// HandleInfo handles the runs' timers, results and exits.
func (m *monitor) HandleInfo(s *genserver.Self, msg any) error {
	switch msg := msg.(type) {
	case runMsg:
		if run, ok := m.runs[msg.name]; ok && run.gen == msg.gen && run.pid.IsZero() {
			m.start(s, run)
		}
	case doneMsg:
		if run, ok := m.current(msg.name, msg.gen); ok {
			m.finish(s, run, Result{Status: statusOf(msg.err), Err: msg.err, At: time.Now(), Duration: msg.dur})
		}
	case timeoutMsg:
		if run, ok := m.current(msg.name, msg.gen); ok {
			_ = s.Exit(run.pid, process.Kill)
			m.finish(s, run, m.timedOut(run))
		}
	case process.Exit:
		if run, ok := m.byPID[msg.From]; ok && !errors.Is(msg.Reason, process.Normal) {
			err := &CrashError{Check: run.spec.Name, Reason: msg.Reason}
			m.finish(s, run, Result{Status: Unhealthy, Err: err, At: time.Now()})
		}
	}
	return nil
}

// Terminate kills the running checks: a normal stop does not reach the
// linked check processes as a signal.
func (m *monitor) Terminate(s *genserver.Self, _ error) {
	for pid := range m.byPID {
		_ = s.Exit(pid, process.Kill)
	}
}

func (m *monitor) addCheck(c Check) (*checkRun, error) {
	t, err := m.add(c.Name, c.NonCritical, c.Liveness)
	if err != nil {
		return nil, err
	}
	run := &checkRun{spec: c, state: t}
	m.runs[c.Name] = run
	return run, nil
}

func (m *monitor) unregister(s *genserver.Self, name string) error {
	run, ok := m.runs[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	if !run.pid.IsZero() {
		_ = s.Exit(run.pid, process.Kill)
		delete(m.byPID, run.pid)
	}
	s.Node().CancelTimer(run.timeout)
	s.Node().CancelTimer(run.next)
	delete(m.runs, name)
	m.remove(name)
	return nil
}

// current returns the check name if its run gen is still running.
func (m *monitor) current(name string, gen uint64) (*checkRun, bool) {
	run, ok := m.runs[name]
	if !ok || run.gen != gen || run.pid.IsZero() {
		return nil, false
	}
	return run, true
}

// start spawns a run of the check in a process linked to the monitor and
// arms its timeout.
func (m *monitor) start(s *genserver.Self, run *checkRun) {
	run.gen++
	pid, err := s.Spawn(checkBody(m.self, run.spec, run.gen), asHealthCheck, process.Linked())
	if err != nil {
		m.finish(s, run, Result{Status: Unhealthy, Err: err, At: time.Now()})
		return
	}
	run.pid = pid
	m.byPID[pid] = run
	run.timeout, _ = s.SendAfter(m.self, timeoutMsg{name: run.spec.Name, gen: run.gen}, run.spec.Timeout)
}

// checkBody is the process running one check: it bounds the check's
// context by the timeout and sends the result to the monitor.
func checkBody(monitor process.PID, c Check, gen uint64) process.Func {
	return func(p *process.Proc) error {
		began := time.Now()
		ctx, cancel := context.WithTimeout(p.Context(), c.Timeout)
		defer cancel()
		err := c.Func(ctx)
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && p.Context().Err() == nil {
			err = &TimeoutError{Check: c.Name, Timeout: c.Timeout}
		}
		_ = p.Send(monitor, doneMsg{name: c.Name, gen: gen, err: err, dur: time.Since(began)})
		return nil
	}
}

func (m *monitor) timedOut(run *checkRun) Result {
	err := &TimeoutError{Check: run.spec.Name, Timeout: run.spec.Timeout}
	return Result{Status: Unhealthy, Err: err, At: time.Now(), Duration: run.spec.Timeout}
}

// finish records a run's result and schedules the next run.
func (m *monitor) finish(s *genserver.Self, run *checkRun, res Result) {
	if !run.pid.IsZero() {
		delete(m.byPID, run.pid)
		run.pid = process.PID{}
	}
	s.Node().CancelTimer(run.timeout)
	if errors.Is(res.Err, ErrTimeout) {
		res.Duration = max(res.Duration, run.spec.Timeout)
		m.tel.Execute(EventCheckTimeout, telemetry.Measurements{"count": 1, "timeout": run.spec.Timeout.Seconds()},
			telemetry.Metadata{"monitor": m.self, "check": run.spec.Name})
	}
	if m.tel.Enabled(EventCheckCompleted) {
		m.tel.Execute(EventCheckCompleted, telemetry.Measurements{"count": 1, "duration": res.Duration.Seconds()},
			telemetry.Metadata{"monitor": m.self, "check": run.spec.Name, "status": res.Status.String()})
	}
	m.record(run.state, res, nil)
	run.next, _ = s.SendAfter(m.self, runMsg{name: run.spec.Name, gen: run.gen}, run.spec.Interval)
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asHealthCheck = rt.Behaviour("health.check")
)
