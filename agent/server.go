package agent

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
)

// Messages of an agent's process. Calls carry *runReq and hibernateReq;
// everything else arrives as a plain message (HandleInfo).
type (
	// runReq is a Run: the action (found by the caller) and its decoded
	// input, with the caller's context.
	runReq struct {
		ctx context.Context
		a   *action
		in  any
	}
	// hibernateReq asks the agent to snapshot and stop (System.Hibernate).
	hibernateReq struct{}
	// runMsg runs an action from a signal, a schedule or a task result.
	// raw input (signals) is decoded in the agent.
	runMsg struct {
		action string
		in     any
		source string
	}
	// drainNow tells a freshly started agent to run the messages buffered
	// while it was not running.
	drainNow struct{}
	// hibernateNow is the agent's message to itself while it stops to
	// hibernate: once no delivery or call is on its way (fenced false),
	// it sends itself a fenced one, behind every message already sent;
	// handling that one, it stops.
	hibernateNow struct{ fenced bool }
)

// server is an agent's genserver.
type server[S any] struct {
	sys       *System
	e         *entry
	k         *kindBase
	spec      *Spec[S]
	state     S
	seq       uint64
	sinceSnap int
	lastSnap  time.Time
	children  process.PID
	perfs     []*actionPerf // by action index, filled on first use
}

func (srv *server[S]) Init(s *genserver.Self) error {
	s.TrapExit(true)
	if err := srv.restore(); err != nil {
		return err
	}
	srv.lastSnap = time.Now()
	srv.arm(s)
	return nil
}

// restore loads the last snapshot (migrating an older version), or
// builds the initial state. Its context is not derived from the
// process's: that would make the process keep a context, a channel and a
// children map for its whole life (about 450 bytes per idle agent); the
// init timeout bounds the load anyway.
func (srv *server[S]) restore() error {
	if srv.sys.store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), srv.sys.storeTimeout)
		snap, err := srv.sys.store.Load(ctx, srv.e.id)
		cancel()
		switch {
		case err == nil:
			return srv.decode(snap)
		case !errors.Is(err, ErrNoSnapshot):
			return err
		}
	}
	if srv.spec.Init != nil {
		srv.state = srv.spec.Init()
	}
	return nil
}

func (srv *server[S]) decode(snap Snapshot) error {
	want := srv.k.cfg.Version
	srv.seq = snap.Seq
	switch {
	case snap.Version == want:
		return json.Unmarshal(snap.Data, &srv.state)
	case snap.Version < want && srv.spec.Migrate != nil:
		st, err := srv.spec.Migrate(snap.Version, snap.Data)
		if err != nil {
			return err
		}
		srv.state = st
		return nil
	}
	return &VersionError{ID: srv.e.id, Have: snap.Version, Want: want}
}

// save writes a snapshot of the state to the system's store, within the
// store timeout (not under the process's context, for restore's reason).
func (srv *server[S]) save() error {
	if srv.sys.store == nil {
		return nil
	}
	data, err := json.Marshal(srv.state)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), srv.sys.storeTimeout)
	defer cancel()
	now := time.Now()
	err = srv.sys.store.Save(ctx, srv.e.id, Snapshot{Version: srv.k.cfg.Version, Seq: srv.seq, Time: now, Data: data})
	if err == nil {
		srv.sinceSnap, srv.lastSnap = 0, now
	}
	return err
}

// arm sets the idle timeout that hibernates the agent.
func (srv *server[S]) arm(s *genserver.Self) {
	if srv.k.cfg.IdleTimeout > 0 && srv.sys.store != nil {
		s.SetTimeout(srv.k.cfg.IdleTimeout)
	}
}

func (srv *server[S]) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	defer srv.arm(s)
	switch r := req.(type) {
	case *runReq:
		return srv.exec(s, r.ctx, r.a, r.in)
	case hibernateReq:
		return nil, srv.hibernate(s)
	}
	return nil, genserver.ErrNotImplemented
}

func (srv *server[S]) HandleInfo(s *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case *runMsg:
		srv.runMsg(s, m)
	case drainNow:
		for _, m := range srv.sys.takeBuffer(srv.e) {
			srv.runMsg(s, m)
		}
	case hibernateNow:
		switch {
		case m.fenced:
			s.Stop(process.Normal) // Terminate saves what changed since
			return nil
		case srv.sys.quiet(srv.e):
			_ = s.Send(s.PID(), hibernateNow{fenced: true})
		default:
			_ = s.Send(s.PID(), hibernateNow{})
		}
		return nil
	case genserver.Timeout:
		if err := srv.hibernate(s); err != nil {
			srv.sys.logger.Warn("agent: hibernation failed", "agent", srv.e.id, "err", err)
		}
		return nil
	case process.Exit:
		if m.From == srv.children {
			// our children's supervisor gave up: the agent lives on and
			// starts a new one when it next spawns.
			srv.children = process.PID{}
		}
	default:
		if f := srv.spec.Messages; f != nil {
			if name, in, ok := f(msg); ok {
				srv.runMsg(s, &runMsg{action: name, in: in, source: "message"})
			}
		}
	}
	srv.arm(s)
	return nil
}

// runMsg runs an action asked for by a message; its errors are counted
// and logged, as there is no caller to return them to.
func (srv *server[S]) runMsg(s *genserver.Self, m *runMsg) {
	a := srv.k.actions[m.action]
	if a == nil {
		srv.sys.logger.Warn("agent: message for an unknown action", "agent", srv.e.id, "action", m.action)
		return
	}
	in, err := a.input(m.in)
	if err == nil {
		_, err = srv.exec(s, s.Context(), a, in)
	}
	if err != nil {
		srv.sys.logger.Warn("agent: action failed", "agent", srv.e.id, "action", m.action, "source", m.source, "err", err)
	}
}

// exec runs one action against the state, then the snapshot policy and
// the directives.
func (srv *server[S]) exec(s *genserver.Self, ctx context.Context, a *action, in any) (any, error) {
	start := time.Now()
	out, dirs, err := a.run.(runFunc[S])(ctx, &srv.state, in)
	if srv.perfs == nil {
		srv.perfs = make([]*actionPerf, len(srv.k.list))
	}
	ap := srv.perfs[a.idx]
	if ap == nil {
		ap = srv.sys.perf.action(srv.k.cfg.Kind, a.info.Name)
		srv.perfs[a.idx] = ap
	}
	srv.sys.observe(srv.e, a, ap, time.Since(start), err)
	if err != nil {
		return nil, err
	}
	srv.seq++
	srv.sinceSnap++
	if srv.k.cfg.Persist.due(srv.sinceSnap, srv.lastSnap) {
		if err := srv.save(); err != nil {
			srv.sys.logger.Warn("agent: snapshot failed", "agent", srv.e.id, "err", err)
		}
	}
	for _, d := range dirs {
		srv.direct(s, d)
	}
	return out, nil
}

// direct carries out one directive.
func (srv *server[S]) direct(s *genserver.Self, d Directive) {
	sys := srv.sys
	var err error
	switch d := d.(type) {
	case Emit:
		sig := d.Signal
		if sig.Source == "" {
			sig.Source = srv.e.id
		}
		_, err = task.Start(sys.tasks, func(ctx context.Context) error {
			_, err := sys.Publish(ctx, sig)
			return err
		})
	case Spawn:
		err = srv.spawn(s, d.Config)
	case Schedule:
		err = sys.schedule(s.Context(), srv.e, d)
	case Stop:
		reason := d.Reason
		if reason == nil {
			reason = process.Normal
		}
		if err := srv.save(); err != nil {
			srv.sys.logger.Warn("agent: snapshot failed", "agent", srv.e.id, "err", err)
		}
		sys.cancelSchedules(s.Context(), srv.e)
		s.Stop(reason)
	case offload:
		id := srv.e.id
		_, err = task.Start(sys.tasks, func(ctx context.Context) error {
			v, _ := d.run(ctx)
			return sys.deliver(ctx, id, &runMsg{action: d.then, in: v, source: "task"})
		})
	}
	if err != nil {
		sys.logger.Warn("agent: directive failed", "agent", srv.e.id, "err", err)
	}
}

// spawn registers cfg as a child agent and starts it under this agent's
// own dynamic supervisor, started on first use and linked to the agent.
func (srv *server[S]) spawn(s *genserver.Self, cfg Config) error {
	if srv.children.IsZero() {
		pid, err := supervisor.StartDynamicLink(s.Proc, supervisor.DynamicSpec{
			Flags: supervisor.Flags{MaxRestarts: 3, Period: 5 * time.Second},
		}, supervisor.WithEventHook(srv.sys.onEvent))
		if err != nil {
			return err
		}
		srv.children = pid
	}
	cfg.parent = srv.e.id
	switch err := srv.sys.Register(cfg); {
	case err == nil:
		if kid := srv.sys.lookup(cfg.ID); kid != nil {
			srv.e.mu.Lock()
			srv.e.kids = append(srv.e.kids, kid)
			srv.e.mu.Unlock()
		}
	case !errors.Is(err, ErrAlreadyRegistered):
		return err
	}
	ctx, cancel := context.WithTimeout(s.Context(), srv.sys.startTimeout)
	defer cancel()
	return srv.sys.startUnder(ctx, srv.sys.lookup(cfg.ID), srv.children)
}

// hibernate snapshots the state and stops the agent normally, leaving it
// registered as hibernated. An agent with live children does not
// hibernate.
func (srv *server[S]) hibernate(s *genserver.Self) error {
	if srv.sys.store == nil {
		return errNoStore
	}
	if !srv.children.IsZero() {
		if c, err := supervisor.CountChildren(s.Context(), srv.children); err == nil && c.Active > 0 {
			return errHasChildren
		}
	}
	if srv.sys.hibernatingNow(srv.e) {
		return nil
	}
	if err := srv.save(); err != nil {
		return err
	}
	// From here on deliveries are buffered and calls wait, for the agent's
	// next start; those already on their way are handled before it stops.
	srv.sys.markHibernating(srv.e)
	return s.Send(s.PID(), hibernateNow{})
}

func (srv *server[S]) Terminate(s *genserver.Self, reason error) {
	if process.IsNormalOrShutdown(reason) && srv.sinceSnap > 0 {
		if err := srv.save(); err != nil {
			srv.sys.logger.Warn("agent: snapshot failed", "agent", srv.e.id, "err", err)
		}
	}
}
