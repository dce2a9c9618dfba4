package agent

import (
	"cmp"
	"context"
	"hash/fnv"
	"slices"
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Strategy is how a Balancer chooses among the agents of a capability.
type Strategy int

const (
	// LeastInFlight picks the agent with the fewest runs in flight (ties
	// broken by id order).
	LeastInFlight Strategy = iota
	// RoundRobin takes the eligible agents in turn.
	RoundRobin
	// ConsistentHash picks by the run's key (rendezvous hashing): a key
	// goes to the same agent while that agent is eligible, and only the
	// keys of an agent that leaves move.
	ConsistentHash
)

// BalancerOptions configure a Balancer.
type BalancerOptions struct {
	// Strategy (default LeastInFlight).
	Strategy Strategy
	// MaxInFlight skips agents with that many runs in flight; zero means
	// no limit.
	MaxInFlight int
	// WakeCold lets the balancer pick a hibernated agent (waking it) when
	// no running one is eligible; by default hibernated agents are skipped.
	WakeCold bool
}

// Balancer chooses an agent with a capability for each run, skipping
// crashed, restarting, stopped, hibernated (cold) and overloaded agents.
// It reads the registry at each pick: agents that come and go need no
// update. Safe for concurrent use.
type Balancer struct {
	sys        *System
	capability string
	opts       BalancerOptions
	rr         atomic.Uint64
}

// Balancer returns a balancer over the agents with capability c.
func (sys *System) Balancer(c string, opts BalancerOptions) (*Balancer, error) {
	const op = "agent: Balancer"
	switch {
	case sys == nil:
		return nil, argerr.Nil(op, "sys")
	case c == "":
		return nil, argerr.Empty(op, "capability")
	case opts.Strategy < LeastInFlight || opts.Strategy > ConsistentHash:
		return nil, argerr.New(op, "opts.Strategy", "is unknown")
	case opts.MaxInFlight < 0:
		return nil, argerr.New(op, "opts.MaxInFlight", "is negative")
	}
	return &Balancer{sys: sys, capability: c, opts: opts}, nil
}

// eligible returns the running agents of the capability that are not
// overloaded (or, with WakeCold and none running, the hibernated ones),
// sorted by id.
func (b *Balancer) eligible() []*entry {
	sys := b.sys
	sys.mu.RLock()
	all := make([]*entry, 0, len(sys.byCap[b.capability]))
	for _, e := range sys.byCap[b.capability] {
		all = append(all, e)
	}
	sys.mu.RUnlock()
	sortEntries(all)
	var warm, cold []*entry
	for _, e := range all {
		e.mu.Lock()
		st := e.status
		e.mu.Unlock()
		over := b.opts.MaxInFlight > 0 && e.inflight.Load() >= int64(b.opts.MaxInFlight)
		switch {
		case over:
		case st == Running:
			warm = append(warm, e)
		case st == Hibernated && b.opts.WakeCold:
			cold = append(cold, e)
		}
	}
	if len(warm) == 0 {
		return cold
	}
	return warm
}

// Pick returns the id of the agent the next run goes to; key matters to
// ConsistentHash only.
func (b *Balancer) Pick(key string) (string, error) {
	if b == nil {
		return "", argerr.Nil("agent: Balancer.Pick", "balancer")
	}
	es := b.eligible()
	if len(es) == 0 {
		return "", &NoAgentError{Capability: b.capability}
	}
	switch b.opts.Strategy {
	case RoundRobin:
		return es[(b.rr.Add(1)-1)%uint64(len(es))].id, nil
	case ConsistentHash:
		var best *entry
		var bestH uint64
		for _, e := range es {
			h := fnv.New64a()
			_, _ = h.Write([]byte(e.id))
			_, _ = h.Write([]byte{0})
			_, _ = h.Write([]byte(key))
			if v := h.Sum64(); best == nil || v > bestH {
				best, bestH = e, v
			}
		}
		return best.id, nil
	}
	best := es[0]
	for _, e := range es[1:] {
		if e.inflight.Load() < best.inflight.Load() {
			best = e
		}
	}
	return best.id, nil
}

// Dispatch runs action on the agent b picks for key, as Run does.
func Dispatch[Out any](ctx context.Context, b *Balancer, key, action string, in any) (Out, string, error) {
	var zero Out
	if b == nil {
		return zero, "", argerr.Nil("agent: Dispatch", "balancer")
	}
	id, err := b.Pick(key)
	if err != nil {
		return zero, "", err
	}
	out, err := Run[Out](ctx, b.sys, id, action, in)
	return out, id, err
}

func sortEntries(es []*entry) {
	slices.SortFunc(es, func(a, b *entry) int { return cmp.Compare(a.id, b.id) })
}
