package health

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// DefaultRetry is how often a service monitor tries again to resolve a
// service that is down or not registered.
const DefaultRetry = time.Second

// Service is a process watched by a service monitor.
type Service struct {
	// Name identifies the service in reports (same rules as Check.Name).
	Name string
	// Dest is the process: a PID, a locally registered name
	// (node.Name("db")) or a registry via-name. A name is resolved again
	// after the process died, so a restarted service is found.
	Dest process.Dest
	// NonCritical and Liveness have the meaning of the fields of [Check].
	NonCritical bool
	Liveness    bool
}

// validate checks s, named arg in the call op.
func (s Service) validate(op, arg string) error {
	switch {
	case !validName(s.Name):
		return invalid(op, arg+".Name", fmt.Sprintf("%q is empty or has a space, a slash or a bracket", s.Name))
	case s.Dest == nil:
		return invalid(op, arg+".Dest", "is nil")
	}
	if pid, ok := s.Dest.(process.PID); ok && pid.IsZero() {
		return invalid(op, arg+".Dest", "is the zero PID")
	}
	return nil
}

// ServiceConfig configures a service monitor ([StartServiceMonitor]).
type ServiceConfig struct {
	// Services are watched from the start; more with [Watch].
	Services []Service
	// Retry is how often a service that is down or unresolved is
	// resolved again (default [DefaultRetry]).
	Retry time.Duration
	// History, Name, Via and Telemetry are as in [Config].
	History   int
	Name      string
	Via       genserver.Registrar
	Telemetry *telemetry.Registry
}

func (c *ServiceConfig) withDefaults(op string, node *process.Node) error {
	base := Config{History: c.History, Telemetry: c.Telemetry}
	if err := base.withDefaults(op, node); err != nil {
		return err
	}
	c.History, c.Telemetry = base.History, base.Telemetry
	if c.Retry < 0 {
		return invalid(op, "cfg.Retry", fmt.Sprintf("must not be negative, got %v", c.Retry))
	}
	if c.Retry == 0 {
		c.Retry = DefaultRetry
	}
	seen := map[string]bool{}
	for i, s := range c.Services {
		if err := s.validate(op, fmt.Sprintf("cfg.Services[%d]", i)); err != nil {
			return err
		}
		if seen[s.Name] {
			return fmt.Errorf("%w: %q", ErrDuplicate, s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// StartServiceMonitor starts a service monitor on node, with no parent.
// It returns once every service was resolved once and, if found, is
// monitored: a service found alive is Healthy in the first report. A nil
// node or a bad configuration is an error matching [ErrInvalidArgument]; a
// stopped node gives process.ErrNodeStopped, and nothing is started.
func StartServiceMonitor(node *process.Node, cfg ServiceConfig) (process.PID, error) {
	const op = "health: StartServiceMonitor"
	if err := checkNode(op, node); err != nil {
		return process.PID{}, err
	}
	if err := cfg.withDefaults(op, node); err != nil {
		return process.PID{}, err
	}
	return genserver.Start(node, newServiceMonitor(cfg), nameOptions(cfg.Name, cfg.Via)...)
}

// StartServiceMonitorLink starts a service monitor linked to parent; see
// [StartServiceMonitor].
func StartServiceMonitorLink(parent *process.Proc, cfg ServiceConfig) (process.PID, error) {
	const op = "health: StartServiceMonitorLink"
	if parent == nil {
		return process.PID{}, argerr.Nil(op, "parent")
	}
	if parent.Node().Stopped() {
		return process.PID{}, process.ErrNodeStopped
	}
	if err := cfg.withDefaults(op, parent.Node()); err != nil {
		return process.PID{}, err
	}
	return genserver.StartLink(parent, newServiceMonitor(cfg), nameOptions(cfg.Name, cfg.Via)...)
}

// ServiceStartFunc returns a supervisor start function for a service
// monitor with cfg.
func ServiceStartFunc(cfg ServiceConfig) supervisor.StartFunc {
	return func(parent *process.Proc) (process.PID, error) { return StartServiceMonitorLink(parent, cfg) }
}

// Watch adds svc to the service monitor dest. It returns once svc was
// resolved once, or an error matching [ErrInvalidCheck] or [ErrDuplicate].
// A nil ctx or dest is an error matching [ErrInvalidArgument].
func Watch(ctx context.Context, dest process.Dest, svc Service) error {
	const op = "health: Watch"
	if err := checkCall(op, ctx, dest); err != nil {
		return err
	}
	if err := svc.validate(op, "svc"); err != nil {
		return err
	}
	_, err := genserver.Call[struct{}](ctx, dest, watchReq{svc: svc})
	return err
}

func newServiceMonitor(cfg ServiceConfig) *serviceMonitor {
	return &serviceMonitor{cfg: cfg, base: newBase(cfg.Telemetry, cfg.History, "service", EventServiceStatusChanged)}
}

// serviceMonitor watches processes with monitors. Owned by its process;
// no lock.
type serviceMonitor struct {
	base
	cfg   ServiceConfig
	svcs  map[string]*watched
	byRef map[process.Ref]*watched
}

// watched is the state of one service.
type watched struct {
	spec  Service
	state *tracked
	pid   process.PID // monitored process; zero when down
	ref   process.Ref // its monitor
	retry process.TimerRef
	gen   uint64 // generation of the pending retry
}

type (
	watchReq struct{ svc Service }
	retryMsg struct {
		name string
		gen  uint64
	}
)

// Init resolves and monitors every configured service.
func (m *serviceMonitor) Init(s *genserver.Self) error {
	m.self = s.PID()
	m.svcs = map[string]*watched{}
	m.byRef = map[process.Ref]*watched{}
	for _, svc := range m.cfg.Services {
		if _, err := m.watch(s, svc); err != nil {
			return err
		}
	}
	return nil
}

// HandleCall answers reports, watches and unregistrations.
func (m *serviceMonitor) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case reportReq:
		return m.report(r), nil
	case watchReq:
		_, err := m.watch(s, r.svc)
		return struct{}{}, err
	case unregisterReq:
		w, ok := m.svcs[r.name]
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrNotFound, r.name)
		}
		if !w.ref.IsZero() {
			s.Demonitor(w.ref, true)
			delete(m.byRef, w.ref)
		}
		s.Node().CancelTimer(w.retry)
		delete(m.svcs, r.name)
		m.remove(r.name)
		return struct{}{}, nil
	}
	return nil, fmt.Errorf("health: unknown request %T", req)
}

// HandleInfo handles the services' Down messages and retry timers.
func (m *serviceMonitor) HandleInfo(s *genserver.Self, msg any) error {
	switch msg := msg.(type) {
	case process.Down:
		w, ok := m.byRef[msg.Ref]
		if !ok {
			return nil
		}
		delete(m.byRef, msg.Ref)
		w.pid, w.ref = process.PID{}, process.Ref{}
		m.down(w, &ServiceDownError{Service: w.spec.Name, PID: msg.PID, Reason: msg.Reason}, msg.PID)
		m.scheduleRetry(s, w)
	case retryMsg:
		if w, ok := m.svcs[msg.name]; ok && w.gen == msg.gen && w.ref.IsZero() {
			m.resolve(s, w)
		}
	}
	return nil
}

func (m *serviceMonitor) watch(s *genserver.Self, svc Service) (*watched, error) {
	t, err := m.add(svc.Name, svc.NonCritical, svc.Liveness)
	if err != nil {
		return nil, err
	}
	w := &watched{spec: svc, state: t}
	m.svcs[svc.Name] = w
	m.resolve(s, w)
	return w, nil
}

// resolve looks the service up and monitors it; a failure is recorded
// and retried later. A process that is already dead shows up as an
// immediate Down (NoProc), handled like any death.
func (m *serviceMonitor) resolve(s *genserver.Self, w *watched) {
	pid, err := w.spec.Dest.Resolve()
	if err == nil && !s.Node().IsAlive(pid) {
		// Monitoring it would give an immediate Down; skip the blip.
		err = process.NoProc
	}
	if err == nil {
		var ref process.Ref
		if ref, err = s.Monitor(pid); err == nil {
			w.pid, w.ref = pid, ref
			m.byRef[ref] = w
			m.change(w, Result{Status: Healthy, At: time.Now()}, pid)
			return
		}
	}
	m.down(w, &ServiceDownError{Service: w.spec.Name, PID: pid, Reason: err}, pid)
	m.scheduleRetry(s, w)
}

// down records that the service is not alive.
func (m *serviceMonitor) down(w *watched, err *ServiceDownError, pid process.PID) {
	m.change(w, Result{Status: Unhealthy, Err: err, At: time.Now()}, pid)
}

// change records res only when it changes the service's status: the
// history of a service is its changes, not every retry.
func (m *serviceMonitor) change(w *watched, res Result, pid process.PID) {
	if w.state.status == res.Status {
		w.state.err = res.Err
		return
	}
	m.record(w.state, res, telemetry.Metadata{"pid": pid})
}

func (m *serviceMonitor) scheduleRetry(s *genserver.Self, w *watched) {
	w.gen++
	w.retry, _ = s.SendAfter(m.self, retryMsg{name: w.spec.Name, gen: w.gen}, m.cfg.Retry)
}
