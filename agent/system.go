package agent

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Config registers one agent: its unique ID, its Kind, its Capabilities
// (what FindByCapability and the balancer look for) and Metadata.
type Config struct {
	ID           string
	Kind         Kind
	Capabilities []string
	Metadata     map[string]string

	parent string
}

// entry is an agent's registry entry. Its mutable fields are guarded by
// mu; inflight is atomic.
type entry struct {
	id     string
	parent string
	kind   *kindBase
	caps   []string
	meta   map[string]string

	inflight atomic.Int64
	calling  atomic.Int64 // Runs calling the process
	perf     counters
	live     atomic.Pointer[process.PID] // the PID while Running, else nil

	mu          sync.Mutex
	status      Status
	pid         process.PID
	crashes     int
	lastReason  error
	buf         []*runMsg
	changed     chan struct{} // closed and cleared at each status change
	hibernating bool          // the agent is stopping to hibernate
	sending     int           // deliveries sending to the process
	schedules   []schedule.ID
	sup         process.PID // the supervisor it last started under
	kids        []*entry    // agents it spawned (Spawn directive)
}

// setLocked changes the status, wakes the waiters and tells the
// listeners; e.mu is held.
func (sys *System) setLocked(e *entry, to Status, reason error) {
	from := e.status
	e.status = to
	if to == Running {
		pid := e.pid
		e.live.Store(&pid)
	} else {
		e.live.Store(nil)
	}
	if e.changed != nil {
		close(e.changed)
		e.changed = nil
	}
	if from == to {
		return
	}
	if sys.listener != nil {
		sys.listener(StatusChange{ID: e.id, From: from, To: to, Reason: reason, Time: time.Now()})
	}
	if sys.tel.Enabled(EventStatusChanged) {
		sys.tel.Execute(EventStatusChanged, telemetry.Measurements{"count": 1},
			telemetry.Metadata{"agent": e.id, "kind": e.kind.cfg.Kind, "from": from.String(), "to": to.String()})
	}
}

// System is a set of supervised agents on one node: their supervisor,
// their registry, the signal bus, a scheduler and a task supervisor for
// directives, and the stores for snapshots and crashes.
type System struct {
	node         *process.Node
	top          process.PID
	agents       process.Name
	tasks        *task.Supervisor
	sched        *schedule.Scheduler
	sensors      process.Name
	store        Store
	errs         ErrorStore
	crashQ       chan CrashRecord // nil: errs is written inline
	sender       *send.Sender
	dead         send.DeadLetterSink
	listener     func(StatusChange)
	confirm      send.Level
	logger       *slog.Logger
	storeTimeout time.Duration
	startTimeout time.Duration
	perf         *perf
	tel          *telemetry.Registry
	stopped      atomic.Bool

	mu      sync.RWMutex
	entries map[string]*entry
	byCap   map[string]map[string]*entry
	routes  map[string][]*entry // pattern -> subscribed agents
}

// Option configures Start.
type Option interface{ apply(*System) error }

type optionFunc func(*System) error

func (f optionFunc) apply(s *System) error { return f(s) }

// WithStore keeps snapshots in st (default: none, so nothing survives a
// restart and hibernation is refused).
func WithStore(st Store) Option {
	return optionFunc(func(s *System) error {
		if st == nil {
			return argerr.Nil("agent: WithStore", "store")
		}
		s.store = st
		return nil
	})
}

// WithErrorStore records every agent crash in es (default: a memory
// error store of DefaultErrorStoreSize records, see System.Errors). A
// store other than a *MemoryErrorStore is written by the system's crash
// log process, not by the agents' supervisor, so that a slow store never
// holds up restarts: at most crashLogQueue records wait for it; past
// that, and at the system's stop, records not written are logged and
// dropped.
func WithErrorStore(es ErrorStore) Option {
	return optionFunc(func(s *System) error {
		if es == nil {
			return argerr.Nil("agent: WithErrorStore", "store")
		}
		s.errs = es
		return nil
	})
}

// WithSender delivers signals with snd (default: send.Default()).
func WithSender(snd *send.Sender) Option {
	return optionFunc(func(s *System) error {
		if snd == nil {
			return argerr.Nil("agent: WithSender", "sender")
		}
		s.sender = snd
		return nil
	})
}

// WithDeadLetters sends undeliverable messages (buffer overflow, failed
// deliveries) to sink (a deadletter.Queue, for instance); without it
// they are logged and dropped.
func WithDeadLetters(sink send.DeadLetterSink) Option {
	return optionFunc(func(s *System) error {
		if sink == nil {
			return argerr.Nil("agent: WithDeadLetters", "sink")
		}
		s.dead = sink
		return nil
	})
}

// WithConfirm sets how far the delivery of a signal, a scheduled run or
// a task result to a running agent is confirmed: send.Enqueued (the
// default: its mailbox took it) or send.Handled (its action ran without
// crashing; Publish then waits for the actions, and a crash sends the
// message to the dead letters).
func WithConfirm(l send.Level) Option {
	return optionFunc(func(s *System) error {
		if l != send.Enqueued && l != send.Handled {
			return argerr.New("agent: WithConfirm", "level", "is neither send.Enqueued nor send.Handled")
		}
		s.confirm = l
		return nil
	})
}

// WithStatusListener calls fn at every status change of every agent.
// fn runs in the supervisor's process (or the caller's), with the
// agent's entry locked: it must be quick and must not call the System.
func WithStatusListener(fn func(StatusChange)) Option {
	return optionFunc(func(s *System) error {
		if fn == nil {
			return argerr.Nil("agent: WithStatusListener", "fn")
		}
		s.listener = fn
		return nil
	})
}

// WithLogger logs failed directives and background actions to l
// (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(s *System) error {
		if l == nil {
			return argerr.Nil("agent: WithLogger", "logger")
		}
		s.logger = l
		return nil
	})
}

var systemSeq atomic.Uint64

// Start starts an agent system on node: a supervisor with a task
// supervisor, a scheduler, the agents' dynamic supervisor and the
// sensors' one.
func Start(node *process.Node, opts ...Option) (*System, error) {
	const op = "agent: Start"
	if node == nil {
		return nil, argerr.Nil(op, "node")
	}
	sys := &System{node: node, logger: slog.Default(), storeTimeout: 5 * time.Second, startTimeout: 5 * time.Second,
		entries: map[string]*entry{}, byCap: map[string]map[string]*entry{}, routes: map[string][]*entry{}}
	for _, o := range opts {
		if o == nil {
			return nil, argerr.Nil(op, "option")
		}
		if err := o.apply(sys); err != nil {
			return nil, err
		}
	}
	if sys.errs == nil {
		sys.errs = NewMemoryErrorStore(DefaultErrorStoreSize)
	}
	if _, inline := sys.errs.(*MemoryErrorStore); !inline {
		sys.crashQ = make(chan CrashRecord, crashLogQueue)
	}
	if sys.sender == nil {
		sys.sender = send.Default()
	}
	sys.perf = newPerf()
	sys.tel = nodeenv.Telemetry(node)
	prefix := "orchard.agent." + strconv.FormatUint(systemSeq.Add(1), 10) + "."
	sys.agents = node.Name(prefix + "agents")
	sys.sensors = node.Name(prefix + "sensors")
	deliverer := schedule.DelivererFunc(func(ctx context.Context, dest process.Dest, msg any) error {
		switch m := msg.(type) {
		case *scheduledRun:
			return sys.deliver(ctx, m.id, &runMsg{action: m.action, in: m.in, source: "schedule"})
		case sensorTick:
			return sys.sender.Send(ctx, dest, m, send.WithConfirm(send.Enqueued), send.WithRetries(0))
		default:
			return fmt.Errorf("agent: unexpected scheduled message %T", msg)
		}
	})
	spec := supervisor.Spec{
		Flags: supervisor.Flags{Strategy: supervisor.OneForAll, MaxRestarts: 3, Period: 5 * time.Second},
		Children: []supervisor.ChildSpec{
			task.ChildSpec("tasks", task.WithName(prefix+"tasks")),
			{ID: "scheduler", Start: schedule.StartFunc(schedule.WithName(prefix+"scheduler"), schedule.WithDeliverer(deliverer))},
			supervisor.DynamicSubtree("agents", supervisor.DynamicSpec{
				Flags: supervisor.Flags{MaxRestarts: 100, Period: 5 * time.Second},
			}, supervisor.WithName(prefix+"agents"), supervisor.WithEventHook(sys.onEvent)),
			supervisor.DynamicSubtree("sensors", supervisor.DynamicSpec{
				Flags: supervisor.Flags{MaxRestarts: 10, Period: 5 * time.Second},
			}, supervisor.WithName(prefix+"sensors")),
		},
	}
	if sys.crashQ != nil {
		// before the agents' supervisor: started before it, stopped after it
		spec.Children = slices.Insert(spec.Children, 2, supervisor.ChildSpec{ID: "crashlog", Start: sys.startCrashLog})
	}
	top, err := supervisor.Start(node, spec, supervisor.WithName(prefix+"sup"))
	if err != nil {
		return nil, err
	}
	sys.top = top
	if sys.tasks, err = task.Lookup(node.Name(prefix + "tasks")); err != nil {
		_ = supervisor.Stop(top, process.Shutdown, 10*time.Second)
		return nil, err
	}
	sys.sched = schedule.For(node.Name(prefix + "scheduler"))
	return sys, nil
}

// Stop stops every agent (gracefully: they snapshot), sensor, task and
// schedule of the system, within ctx.
func (sys *System) Stop(ctx context.Context) error {
	if sys == nil {
		return argerr.Nil("agent: Stop", "sys")
	}
	if ctx == nil {
		return argerr.Nil("agent: Stop", "ctx")
	}
	if sys.stopped.Swap(true) {
		return nil
	}
	timeout := 30 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	if timeout <= 0 {
		timeout = time.Millisecond
	}
	return supervisor.Stop(sys.top, process.Shutdown, timeout)
}

// PID returns the system's top supervisor, for an application part
// (app.Part.Start) that owns the system: stopping it stops every agent
// gracefully, as Stop does. A nil system has the zero PID.
func (sys *System) PID() process.PID {
	if sys == nil {
		return process.PID{}
	}
	return sys.top
}

// Node returns the node the system runs on.
func (sys *System) Node() *process.Node { return sys.node }

// Register adds an agent to the registry, with status Registered; it
// starts nothing (StartAgent does).
func (sys *System) Register(cfg Config) error {
	const op = "agent: Register"
	if sys == nil {
		return argerr.Nil(op, "sys")
	}
	switch {
	case cfg.ID == "":
		return argerr.Empty(op, "cfg.ID")
	case cfg.Kind == nil:
		return argerr.Nil(op, "cfg.Kind")
	}
	if sys.stopped.Load() {
		return ErrStopped
	}
	e := &entry{id: cfg.ID, parent: cfg.parent, kind: cfg.Kind.base(), caps: slices.Clone(cfg.Capabilities), meta: cfg.Metadata}
	sys.mu.Lock()
	defer sys.mu.Unlock()
	if _, dup := sys.entries[cfg.ID]; dup {
		return fmt.Errorf("%w: %q", ErrAlreadyRegistered, cfg.ID)
	}
	sys.entries[cfg.ID] = e
	for _, c := range e.caps {
		m := sys.byCap[c]
		if m == nil {
			m = map[string]*entry{}
			sys.byCap[c] = m
		}
		m[cfg.ID] = e
	}
	for _, r := range e.kind.cfg.Routes {
		sys.routes[r.Pattern] = append(sys.routes[r.Pattern], e)
	}
	return nil
}

// Unregister stops the agent if it runs and removes it from the
// registry; its snapshot stays in the store.
func (sys *System) Unregister(ctx context.Context, id string) error {
	if sys == nil {
		return argerr.Nil("agent: Unregister", "sys")
	}
	if err := sys.StopAgent(ctx, id); err != nil && !errors.Is(err, ErrNotRunning) {
		return err
	}
	sys.mu.Lock()
	defer sys.mu.Unlock()
	e := sys.entries[id]
	if e == nil {
		return &UnknownAgentError{ID: id}
	}
	delete(sys.entries, id)
	for _, c := range e.caps {
		delete(sys.byCap[c], id)
	}
	for _, r := range e.kind.cfg.Routes {
		sys.routes[r.Pattern] = slices.DeleteFunc(sys.routes[r.Pattern], func(x *entry) bool { return x == e })
	}
	return nil
}

func (sys *System) lookup(id string) *entry {
	sys.mu.RLock()
	e := sys.entries[id]
	sys.mu.RUnlock()
	return e
}

// Spawn registers cfg and starts it.
func (sys *System) Spawn(ctx context.Context, cfg Config) (process.PID, error) {
	if sys == nil {
		return process.PID{}, argerr.Nil("agent: Spawn", "sys")
	}
	if ctx == nil {
		return process.PID{}, argerr.Nil("agent: Spawn", "ctx")
	}
	if err := sys.Register(cfg); err != nil {
		return process.PID{}, err
	}
	return sys.StartAgent(ctx, cfg.ID)
}

// StartAgent starts a registered agent (registered, stopped, crashed or
// hibernated) under the system's dynamic supervisor and returns its PID
// once it runs; its state comes from its last snapshot. A running agent's
// PID is returned as is.
func (sys *System) StartAgent(ctx context.Context, id string) (process.PID, error) {
	const op = "agent: StartAgent"
	if sys == nil {
		return process.PID{}, argerr.Nil(op, "sys")
	}
	if ctx == nil {
		return process.PID{}, argerr.Nil(op, "ctx")
	}
	e := sys.lookup(id)
	if e == nil {
		return process.PID{}, &UnknownAgentError{ID: id}
	}
	e.mu.Lock()
	switch e.status {
	case Running:
		pid := e.pid
		e.mu.Unlock()
		return pid, nil
	case Starting, Restarting:
		e.mu.Unlock()
		return sys.waitLive(ctx, e)
	}
	e.mu.Unlock()
	if err := sys.startUnder(ctx, e, sys.agents); err != nil {
		return process.PID{}, err
	}
	return sys.waitLive(ctx, e)
}

// startUnder starts e under the dynamic supervisor sup, unless another
// start is under way.
func (sys *System) startUnder(ctx context.Context, e *entry, sup process.Dest) error {
	if sys.stopped.Load() {
		return ErrStopped
	}
	e.mu.Lock()
	if e.status == Starting || e.status == Running || e.status == Restarting {
		e.mu.Unlock()
		return nil
	}
	prev := e.status
	e.hibernating = false
	sys.setLocked(e, Starting, nil)
	e.mu.Unlock()
	restart := supervisor.Transient
	spec := supervisor.ChildSpec{ID: e.id, Restart: restart, Start: func(parent *process.Proc) (process.PID, error) {
		return genserver.StartLink(parent, e.kind.newServer(sys, e),
			genserver.WithSpawnOptions(rt.Behaviour("agent")), genserver.WithInitTimeout(sys.startTimeout))
	}}
	_, err := supervisor.StartDynamicChild(ctx, sup, spec)
	if err != nil {
		e.mu.Lock()
		if e.status == Starting {
			sys.setLocked(e, prev, err)
			e.lastReason = err
		}
		e.mu.Unlock()
		var ie *genserver.InitError
		if errors.As(err, &ie) {
			return ie.Reason
		}
		return err
	}
	return nil
}

// waitLive returns the PID of e once it runs: at once when it does,
// after its start or restart, or after waking it when it hibernates.
func (sys *System) waitLive(ctx context.Context, e *entry) (process.PID, error) {
	if p := e.live.Load(); p != nil {
		return *p, nil
	}
	for {
		e.mu.Lock()
		switch {
		case e.status == Running && !e.hibernating:
			pid := e.pid
			e.mu.Unlock()
			return pid, nil
		case e.status == Hibernated:
			e.mu.Unlock()
			if err := sys.startUnder(ctx, e, sys.agents); err != nil {
				return process.PID{}, err
			}
			continue
		case e.status == Starting, e.status == Restarting, e.status == Running: // Running: hibernating
			if e.changed == nil {
				e.changed = make(chan struct{})
			}
			ch := e.changed
			e.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return process.PID{}, ctx.Err()
			}
		case e.status == Crashed:
			reason := e.lastReason
			e.mu.Unlock()
			return process.PID{}, &CrashedError{ID: e.id, Reason: reason}
		default:
			st := e.status
			e.mu.Unlock()
			return process.PID{}, &NotRunningError{ID: e.id, Status: st}
		}
	}
}

// StopAgent stops a running agent gracefully (it snapshots its state) and
// cancels its schedules; its status becomes Stopped and it stays
// registered. A hibernated agent just becomes Stopped.
func (sys *System) StopAgent(ctx context.Context, id string) error {
	const op = "agent: StopAgent"
	if sys == nil {
		return argerr.Nil(op, "sys")
	}
	if ctx == nil {
		return argerr.Nil(op, "ctx")
	}
	e := sys.lookup(id)
	if e == nil {
		return &UnknownAgentError{ID: id}
	}
	sys.cancelSchedules(ctx, e)
	e.mu.Lock()
	status, pid := e.status, e.pid
	if status == Hibernated || status == Registered {
		sys.setLocked(e, Stopped, nil)
	}
	e.mu.Unlock()
	switch status {
	case Running:
		if err := supervisor.TerminateChildPID(ctx, sys.supervisorOf(e), pid); err != nil && !errors.Is(err, supervisor.ErrNotFound) {
			return err
		}
		return sys.waitStatus(ctx, e, func(s Status) bool { return s != Running })
	case Starting, Restarting:
		return sys.waitStatus(ctx, e, func(s Status) bool { return s != Starting && s != Restarting })
	case Hibernated, Registered:
		return nil
	}
	return &NotRunningError{ID: id, Status: status}
}

// cancelSchedules cancels the schedules of e's Schedule directives.
func (sys *System) cancelSchedules(ctx context.Context, e *entry) {
	e.mu.Lock()
	scheds := e.schedules
	e.schedules = nil
	e.mu.Unlock()
	for _, sid := range scheds {
		if err := sys.sched.Cancel(ctx, sid); err != nil {
			var nf *schedule.NotFoundError
			if !errors.As(err, &nf) {
				sys.logger.Warn("agent: cancelling a schedule failed", "agent", e.id, "schedule", sid, "err", err)
			}
		}
	}
}

// supervisorOf returns the dynamic supervisor e runs under.
func (sys *System) supervisorOf(e *entry) process.Dest {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.sup.IsZero() {
		return e.sup
	}
	return sys.agents
}

// waitGone waits until the registry no longer has pid as e's process.
func (sys *System) waitGone(ctx context.Context, e *entry, pid process.PID) error {
	for {
		e.mu.Lock()
		if e.pid != pid {
			e.mu.Unlock()
			return nil
		}
		if e.changed == nil {
			e.changed = make(chan struct{})
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitStatus waits until e's status satisfies ok.
func (sys *System) waitStatus(ctx context.Context, e *entry, ok func(Status) bool) error {
	for {
		e.mu.Lock()
		if ok(e.status) {
			e.mu.Unlock()
			return nil
		}
		if e.changed == nil {
			e.changed = make(chan struct{})
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Hibernate snapshots a running agent's state and stops its process; it
// stays registered as Hibernated and its next action or signal wakes it.
// It needs a store (WithStore).
func (sys *System) Hibernate(ctx context.Context, id string) error {
	const op = "agent: Hibernate"
	if sys == nil {
		return argerr.Nil(op, "sys")
	}
	if ctx == nil {
		return argerr.Nil(op, "ctx")
	}
	if sys.store == nil {
		return argerr.New(op, "system", "has no store (WithStore) to hibernate into")
	}
	e := sys.lookup(id)
	if e == nil {
		return &UnknownAgentError{ID: id}
	}
	e.mu.Lock()
	status, pid := e.status, e.pid
	e.mu.Unlock()
	if status == Hibernated {
		return nil
	}
	if status != Running {
		return &NotRunningError{ID: id, Status: status}
	}
	if _, err := genserver.Call[any](ctx, pid, hibernateReq{}); err != nil {
		return err
	}
	return sys.waitStatus(ctx, e, func(s Status) bool { return s != Running })
}

func (sys *System) markHibernating(e *entry) {
	e.mu.Lock()
	e.hibernating = true
	e.live.Store(nil) // Runs take the slow path, which waits
	e.mu.Unlock()
}

// hibernatingNow reports whether e is already stopping to hibernate.
func (sys *System) hibernatingNow(e *entry) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hibernating
}

// quiet reports whether no delivery or Run is on its way to e's process,
// which is stopping to hibernate: every message sent to it so far is in
// its mailbox, and no more will come.
func (sys *System) quiet(e *entry) bool {
	e.mu.Lock()
	sending := e.sending
	e.mu.Unlock()
	return sending == 0 && e.calling.Load() == 0
}

// onEvent turns supervisor events into status changes.
func (sys *System) onEvent(ev supervisor.Event) {
	switch ev := ev.(type) {
	case supervisor.ChildStarted:
		e := sys.lookup(ev.ID)
		if e == nil {
			return
		}
		e.mu.Lock()
		e.pid, e.sup = ev.PID, ev.Supervisor
		e.hibernating = false
		sys.setLocked(e, Running, nil)
		if len(e.buf) > 0 {
			_ = sys.node.Send(ev.PID, drainNow{})
		}
		e.mu.Unlock()
	case supervisor.ChildRestarting:
		sys.exited(ev.ID, ev.PID, ev.Reason, true)
	case supervisor.ChildTerminated:
		sys.exited(ev.ID, ev.PID, ev.Reason, false)
	case supervisor.IntensityReached:
		// The supervisor gives up and takes its children down without
		// reporting them: the one restarting is crashed for good, the
		// others stopped.
		sys.mu.RLock()
		var es []*entry
		for _, e := range sys.entries {
			es = append(es, e)
		}
		sys.mu.RUnlock()
		for _, e := range es {
			e.mu.Lock()
			if e.sup == ev.Supervisor {
				switch e.status {
				case Restarting:
					e.pid = process.PID{}
					sys.setLocked(e, Crashed, ev.Reason)
				case Running, Starting:
					e.pid = process.PID{}
					sys.setLocked(e, Stopped, ev.Reason)
				}
			}
			e.mu.Unlock()
			sys.orphan(e)
		}
	}
}

// orphan marks the agents e spawned, and theirs, Stopped once e is gone:
// their supervisor was e's own, which dies with e without reporting its
// children.
func (sys *System) orphan(e *entry) {
	e.mu.Lock()
	gone := e.pid.IsZero()
	kids := slices.Clone(e.kids)
	e.mu.Unlock()
	if !gone {
		return
	}
	for _, k := range kids {
		k.mu.Lock()
		switch k.status {
		case Running, Starting, Restarting:
			k.pid = process.PID{}
			sys.setLocked(k, Stopped, nil)
		}
		k.mu.Unlock()
		sys.orphan(k)
	}
}

// exited records the exit of e's process pid: a crash (Crashed, then
// Restarting when its supervisor restarts it, recorded in the error
// store), a hibernation or a stop.
func (sys *System) exited(id string, pid process.PID, reason error, byItself bool) {
	e := sys.lookup(id)
	if e == nil {
		return
	}
	e.mu.Lock()
	if e.pid != pid {
		e.mu.Unlock()
		return
	}
	e.pid = process.PID{}
	graceful := process.IsNormalOrShutdown(reason)
	switch {
	case e.hibernating && graceful:
		sys.setLocked(e, Hibernated, nil)
		if len(e.buf) > 0 && !sys.stopped.Load() {
			// delivered while it stopped: wake it, from a task, as this
			// runs in its supervisor, which starts it.
			_, _ = task.Start(sys.tasks, func(ctx context.Context) error {
				ctx, cancel := context.WithTimeout(ctx, sys.startTimeout)
				defer cancel()
				if _, err := sys.waitLive(ctx, e); err != nil {
					sys.logger.Warn("agent: cannot wake for its buffered messages", "agent", e.id, "err", err)
				}
				return nil
			})
		}
	case graceful || !byItself:
		sys.setLocked(e, Stopped, nil)
	default:
		e.crashes++
		e.lastReason = reason
		count := e.crashes
		sys.setLocked(e, Crashed, reason)
		if !sys.stopped.Load() {
			// agents are Transient: an abnormal exit is restarted.
			sys.setLocked(e, Restarting, reason)
		}
		e.mu.Unlock()
		sys.orphan(e)
		sys.record(CrashRecord{AgentID: id, Reason: process.FormatReason(reason), Stack: stackOf(reason), Time: time.Now(), Restarts: count})
		if sys.tel.Enabled(EventCrashed) {
			sys.tel.Execute(EventCrashed, telemetry.Measurements{"crashes": float64(count)},
				telemetry.Metadata{"agent": id, "kind": e.kind.cfg.Kind, "reason": process.FormatReason(reason)})
		}
		return
	}
	e.mu.Unlock()
	sys.orphan(e)
}

// Status returns the registry entry of agent id.
func (sys *System) Status(id string) (Info, error) {
	if sys == nil {
		return Info{}, argerr.Nil("agent: Status", "sys")
	}
	e := sys.lookup(id)
	if e == nil {
		return Info{}, &UnknownAgentError{ID: id}
	}
	return sys.info(e), nil
}

func (sys *System) info(e *entry) Info {
	e.mu.Lock()
	in := Info{ID: e.id, Parent: e.parent, Config: e.kind.cfg, Capabilities: slices.Clone(e.caps), Metadata: maps.Clone(e.meta),
		Status: e.status, PID: e.pid, Crashes: e.crashes, LastReason: e.lastReason, Buffered: len(e.buf)}
	e.mu.Unlock()
	in.InFlight = int(e.inflight.Load())
	if !in.PID.IsZero() {
		if pi, err := sys.node.Info(in.PID); err == nil {
			in.MailboxLen = pi.MailboxLen
		}
	}
	return in
}

// Whereis returns the PID of a running agent; a registered agent that is
// not running gives a *NotRunningError.
func (sys *System) Whereis(id string) (process.PID, error) {
	if sys == nil {
		return process.PID{}, argerr.Nil("agent: Whereis", "sys")
	}
	e := sys.lookup(id)
	if e == nil {
		return process.PID{}, &UnknownAgentError{ID: id}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.status != Running {
		return process.PID{}, &NotRunningError{ID: id, Status: e.status}
	}
	return e.pid, nil
}

// FindByCapability returns the registry entries of the agents with
// capability c, sorted by id.
func (sys *System) FindByCapability(c string) []Info {
	if sys == nil {
		return nil
	}
	sys.mu.RLock()
	es := make([]*entry, 0, len(sys.byCap[c]))
	for _, e := range sys.byCap[c] {
		es = append(es, e)
	}
	sys.mu.RUnlock()
	sortEntries(es)
	out := make([]Info, len(es))
	for i, e := range es {
		out[i] = sys.info(e)
	}
	return out
}

// Agents returns the registry entries of the first limit agents by id
// (every agent when limit is not positive): what a live view (package
// observer's AgentSections) shows. A nil System has none.
func (sys *System) Agents(limit int) []Info {
	if sys == nil {
		return nil
	}
	sys.mu.RLock()
	var es []*entry
	if limit > 0 && limit < len(sys.entries) {
		// a view asks every second for its first rows: keep the limit
		// smallest ids (O(n log limit)) rather than sort every agent
		es = firstByID(sys.entries, limit)
	} else {
		es = make([]*entry, 0, len(sys.entries))
		for _, e := range sys.entries {
			es = append(es, e)
		}
	}
	sys.mu.RUnlock()
	sortEntries(es)
	out := make([]Info, len(es))
	for i, e := range es {
		out[i] = sys.info(e)
	}
	return out
}

// firstByID returns the k entries of m with the smallest ids, in no
// particular order (0 < k < len(m)). It keeps them in a max-heap by id.
func firstByID(m map[string]*entry, k int) []*entry {
	h := make(entryHeap, 0, k)
	for _, e := range m {
		switch {
		case len(h) < k:
			heap.Push(&h, e)
		case e.id < h[0].id:
			h[0] = e
			heap.Fix(&h, 0)
		}
	}
	return h
}

// entryHeap is a max-heap of entries by id (container/heap).
type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].id > h[j].id }
func (h entryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *entryHeap) Push(x any)        { *h = append(*h, x.(*entry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// Count returns how many agents are registered and how many of them
// run.
func (sys *System) Count() (registered, running int) {
	if sys == nil {
		return 0, 0
	}
	sys.mu.RLock()
	defer sys.mu.RUnlock()
	for _, e := range sys.entries {
		e.mu.Lock()
		if e.status == Running {
			running++
		}
		e.mu.Unlock()
	}
	return len(sys.entries), running
}

// Actions lists the actions of agent id (name, description, JSON
// Schemas), sorted by name: what a tool adapter (MCP) offers.
func (sys *System) Actions(id string) ([]ActionInfo, error) {
	if sys == nil {
		return nil, argerr.Nil("agent: Actions", "sys")
	}
	e := sys.lookup(id)
	if e == nil {
		return nil, &UnknownAgentError{ID: id}
	}
	return slices.Clone(e.kind.list), nil
}

// Run runs action on agent id with input in and returns its result as
// Out. in is a value of the action's input type, or JSON (a
// json.RawMessage or []byte, or any other value, encoded) checked against
// the input's JSON Schema. A hibernated agent is woken, a starting or
// restarting one waited for. ctx bounds the whole run and is the action's
// context: its cancellation reaches the action.
//
// Errors: *UnknownAgentError, *UnknownActionError, *InvalidInputError,
// *NotRunningError, *CrashedError (the agent died running it), the
// action's own error, or a timeout (genserver.ErrTimeout, ctx.Err()).
func Run[Out any](ctx context.Context, sys *System, id, action string, in any) (Out, error) {
	var zero Out
	if sys == nil {
		return zero, argerr.Nil("agent: Run", "sys")
	}
	v, err := sys.run(ctx, "agent: Run", id, action, in)
	if err != nil {
		return zero, err
	}
	out, ok := v.(Out)
	if !ok && v != nil {
		return zero, &genserver.BadReplyError{Want: fmt.Sprintf("%T", zero), Reply: v}
	}
	return out, nil
}

// RunJSON runs action on agent id with JSON input (checked against the
// action's input schema) and returns its result encoded as JSON: the
// entry point of tool adapters (MCP). Errors are Run's.
func (sys *System) RunJSON(ctx context.Context, id, action string, in json.RawMessage) (json.RawMessage, error) {
	if sys == nil {
		return nil, argerr.Nil("agent: RunJSON", "sys")
	}
	if in == nil {
		in = json.RawMessage("null")
	}
	v, err := sys.run(ctx, "agent: RunJSON", id, action, in)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func (sys *System) run(ctx context.Context, op, id, name string, in any) (any, error) {
	switch {
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case id == "":
		return nil, argerr.Empty(op, "id")
	case name == "":
		return nil, argerr.Empty(op, "action")
	}
	e := sys.lookup(id)
	if e == nil {
		return nil, &UnknownAgentError{ID: id}
	}
	a := e.kind.actions[name]
	if a == nil {
		return nil, &UnknownActionError{ID: id, Action: name}
	}
	input, err := a.input(in)
	if err != nil {
		return nil, err
	}
	e.inflight.Add(1)
	defer e.inflight.Add(-1)
	req := reqPool.Get().(*runReq)
	*req = runReq{ctx: ctx, a: a, in: input}
	for attempt := 0; ; attempt++ {
		pid, err := sys.waitLive(ctx, e)
		if err != nil {
			return nil, err
		}
		e.calling.Add(1)
		if p := e.live.Load(); p == nil || *p != pid {
			// it began to hibernate (or went) meanwhile: wait for it
			e.calling.Add(-1)
			continue
		}
		v, err := genserver.Call[any](ctx, pid, req)
		e.calling.Add(-1)
		if err == nil {
			// the agent replied: it is done with req
			*req = runReq{}
			reqPool.Put(req)
			return v, nil
		}
		var ce *genserver.CallError
		if err == nil || !errors.As(err, &ce) || errors.Is(err, genserver.ErrTimeout) || ctx.Err() != nil {
			return v, err
		}
		if errors.Is(ce.Reason, process.NoProc) && attempt < 3 {
			// it went (hibernated, restarted) between lookup and call:
			// wait for its supervisor to report the exit, then look again.
			if err := sys.waitGone(ctx, e, pid); err != nil {
				return nil, err
			}
			continue
		}
		return nil, &CrashedError{ID: id, Reason: ce.Reason}
	}
}

// reqPool recycles run requests: the agent does not keep a request after
// replying, and a request is put back only after a reply (never after a
// timeout, when the agent may still read it).
var reqPool = sync.Pool{New: func() any { return new(runReq) }}

// scheduledRun is what the scheduler delivers for a Schedule directive.
type scheduledRun struct {
	id, action string
	in         any
}

func (sys *System) schedule(ctx context.Context, e *entry, d Schedule) error {
	if e.kind.actions[d.Action] == nil {
		return &UnknownActionError{ID: e.id, Action: d.Action}
	}
	msg := &scheduledRun{id: e.id, action: d.Action, in: d.Input}
	var (
		id  schedule.ID
		err error
	)
	dest := sys.agents
	switch {
	case d.After > 0 && d.Every == 0 && d.Cron == "":
		id, err = sys.sched.After(ctx, d.After, dest, msg, schedule.WithoutOwner())
	case d.Every > 0 && d.After == 0 && d.Cron == "":
		id, err = sys.sched.Every(ctx, d.Every, dest, msg, schedule.WithoutOwner())
	case d.Cron != "" && d.After == 0 && d.Every == 0:
		id, err = sys.sched.Cron(ctx, d.Cron, dest, msg, schedule.WithoutOwner())
	default:
		return argerr.New("agent: Schedule", "directive", "needs exactly one of After, Every and Cron")
	}
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.schedules = append(e.schedules, id)
	e.mu.Unlock()
	return nil
}

// deliver hands msg to agent id: to its process when it runs (by
// supervised send, confirmed as WithConfirm says), else to its buffer (waking
// it when it hibernates); a full buffer or a failed delivery sends msg to
// the dead letters.
func (sys *System) deliver(ctx context.Context, id string, msg *runMsg) error {
	e := sys.lookup(id)
	if e == nil {
		return &UnknownAgentError{ID: id}
	}
	for attempt := 0; attempt < 3; attempt++ {
		e.mu.Lock()
		switch {
		case e.status == Running && !e.hibernating:
			pid := e.pid
			e.sending++ // a hibernation waits for this send (quiet)
			e.mu.Unlock()
			err := sys.sender.Send(ctx, pid, msg, send.WithConfirm(sys.confirm), send.WithRetries(0))
			e.mu.Lock()
			e.sending--
			e.mu.Unlock()
			if err == nil {
				return nil
			}
			if !errors.Is(err, send.ErrNoProc) {
				return sys.deadLetter(ctx, e, msg, err)
			}
			// it went between lookup and send: wait for its supervisor
			// to report the exit, then look again.
			if err := sys.waitGone(ctx, e, pid); err != nil {
				return sys.deadLetter(ctx, e, msg, err)
			}
			continue
		case e.status == Hibernated, e.status == Starting, e.status == Restarting,
			e.status == Running: // Running: stopping to hibernate; woken when it has
			if len(e.buf) >= e.kind.cfg.Buffer {
				e.mu.Unlock()
				return sys.deadLetter(ctx, e, msg, ErrBufferFull)
			}
			e.buf = append(e.buf, msg)
			wake := e.status == Hibernated
			e.mu.Unlock()
			if wake {
				if err := sys.startUnder(ctx, e, sys.agents); err != nil {
					return err
				}
			}
			return nil
		default:
			st := e.status
			e.mu.Unlock()
			return sys.deadLetter(ctx, e, msg, &NotRunningError{ID: id, Status: st})
		}
	}
	return sys.deadLetter(ctx, e, msg, process.NoProc)
}

// takeBuffer empties e's buffer, in order.
func (sys *System) takeBuffer(e *entry) []*runMsg {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.buf
	e.buf = nil
	return b
}

// deadLetter hands an undeliverable message to the dead letters and
// returns reason.
func (sys *System) deadLetter(ctx context.Context, e *entry, msg *runMsg, reason error) error {
	if sys.dead == nil {
		sys.logger.Warn("agent: message dropped", "agent", e.id, "action", msg.action, "reason", reason)
		return reason
	}
	now := time.Now()
	l := send.Letter{Dest: sys.node.Name("agent:" + e.id), Msg: msg.in, Reason: reason,
		Metadata: map[string]string{"agent": e.id, "action": msg.action, "source": msg.source}, Attempts: 1,
		FirstFailure: now, LastAttempt: now}
	if err := sys.dead.DeadLetter(ctx, l); err != nil {
		return errors.Join(reason, err)
	}
	return reason
}
