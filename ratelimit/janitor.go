package ratelimit

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// sweepTick is the janitor's timer message.
type sweepTick struct{}

// Start starts the limiter's janitor as a root process of node: it stops
// with the node (or with an exit signal to the PID returned). It fails
// with an *[AlreadyStartedError] while another janitor of this limiter
// is alive, and with the node's error if the process cannot be spawned.
// It does not wait for anything.
func (l *Limiter) Start(node *process.Node) (process.PID, error) {
	const op = "ratelimit: Limiter.Start"
	switch {
	case !l.usable():
		return process.PID{}, invalidOption(op, "receiver", "is nil")
	case node == nil:
		return process.PID{}, invalidOption(op, "node", "is nil")
	case node.Stopped():
		return process.PID{}, process.ErrNodeStopped
	}
	return l.startJanitor(node, func() (process.PID, error) {
		return node.Spawn(l.runJanitor, process.WithBehaviour("ratelimit.janitor"))
	})
}

// StartLink starts the janitor linked to parent; it has the shape of a
// supervisor.StartFunc, so a supervisor can own it (see
// [Limiter.ChildSpec]). The limiter's buckets live in the Limiter, not in
// the process: a restarted janitor goes on with the same keys. It fails
// as Start does.
func (l *Limiter) StartLink(parent *process.Proc) (process.PID, error) {
	const op = "ratelimit: Limiter.StartLink"
	switch {
	case !l.usable():
		return process.PID{}, invalidOption(op, "receiver", "is nil")
	case parent == nil:
		return process.PID{}, invalidOption(op, "parent", "is nil")
	case parent.Node().Stopped():
		return process.PID{}, process.ErrNodeStopped
	}
	return l.startJanitor(parent.Node(), func() (process.PID, error) {
		return parent.SpawnLink(l.runJanitor, process.WithBehaviour("ratelimit.janitor"))
	})
}

// ChildSpec returns a permanent worker child spec with id whose start
// function is [Limiter.StartLink], so the limiter runs as a supervised
// service.
func (l *Limiter) ChildSpec(id string) supervisor.ChildSpec {
	return supervisor.ChildSpec{ID: id, Start: l.StartLink, Restart: supervisor.Permanent, Type: supervisor.Worker}
}

// Janitor returns the PID of the running janitor, or the zero PID.
func (l *Limiter) Janitor() process.PID {
	if l == nil {
		return process.PID{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.janitor.Valid() || !l.janitor.Alive() {
		return process.PID{}
	}
	return l.janitor.PID()
}

func (l *Limiter) startJanitor(node *process.Node, spawn func() (process.PID, error)) (process.PID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.janitor.Valid() && l.janitor.Alive() {
		return process.PID{}, &AlreadyStartedError{PID: l.janitor.PID()}
	}
	pid, err := spawn()
	if err != nil {
		return process.PID{}, err
	}
	t, err := rt.LookupOn(node, pid)
	if err != nil {
		return process.PID{}, err // died at once
	}
	l.janitor = t
	return pid, nil
}

// runJanitor sweeps idle keys every sweep interval, on a timer it owns,
// until it is stopped. Other messages are dropped.
func (l *Limiter) runJanitor(p *process.Proc) error {
	if _, err := p.SendAfter(p.PID(), sweepTick{}, l.cfg.sweep); err != nil {
		return err
	}
	for {
		msg, err := p.Receive(p.Context())
		if err != nil {
			return nil // stopped
		}
		if _, ok := msg.(sweepTick); !ok {
			continue
		}
		l.Sweep()
		if _, err := p.SendAfter(p.PID(), sweepTick{}, l.cfg.sweep); err != nil {
			return err
		}
	}
}

// Sweep forgets every key unused for the idle timeout whose bucket is
// full, and returns how many it forgot. A full bucket is what a new key
// gets, so forgetting one changes no decision (but for an Allow racing
// with the sweep, which may take one token from the forgotten bucket).
// The janitor calls it every sweep interval; it emits [EventExpired] when
// it forgot any key.
func (l *Limiter) Sweep() int {
	if !l.usable() {
		return 0
	}
	now := time.Now()
	cutoff := now.Add(-l.cfg.idle).UnixNano()
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.buckets.Range(func(k, v any) bool {
			b := v.(*bucket)
			if b.last.Load() > cutoff || b.lim.TokensAt(now) < float64(b.lim.Burst()) {
				return true
			}
			if s.buckets.CompareAndDelete(k, v) {
				s.n.Add(-1)
				n++
			}
			return true
		})
	}
	if n > 0 {
		l.expired.Add(uint64(n))
		if l.tel.Enabled(EventExpired) {
			l.tel.Execute(EventExpired, telemetry.Measurements{"count": 1, "keys": float64(n)}, nil)
		}
	}
	return n
}
