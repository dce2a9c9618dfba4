package agent

import (
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// Telemetry events of package agent, published on the node's registry
// (process.Config.Telemetry); telemetry/metricmap maps them to Prometheus
// metrics.
const (
	// EventActionStop is published after every action: measurement
	// "duration" (seconds); metadata "agent", "kind", "action" and
	// "outcome" ("ok" or "error").
	EventActionStop = "orchard.agent.action.stop"
	// EventStatusChanged is published at every status change: metadata
	// "agent", "kind", "from", "to" (Status names).
	EventStatusChanged = "orchard.agent.status.changed"
	// EventCrashed is published at every agent crash: measurement
	// "crashes" (the agent's count); metadata "agent", "kind", "reason".
	EventCrashed = "orchard.agent.crashed"
)

// histBuckets is the number of latency buckets: bucket i holds durations
// of bit length i in nanoseconds, so each bucket spans a factor of two.
const histBuckets = 64

// hist is a lock-free latency histogram.
type hist struct{ b [histBuckets]atomic.Uint64 }

func (h *hist) add(d time.Duration) {
	i := bits.Len64(uint64(max(d, 0)))
	if i >= histBuckets {
		i = histBuckets - 1
	}
	h.b[i].Add(1)
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *hist) quantile(q float64) time.Duration {
	var counts [histBuckets]uint64
	var total uint64
	for i := range counts {
		counts[i] = h.b[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= rank && c > 0 {
			if i == 0 {
				return 0
			}
			return time.Duration(uint64(1)<<i - 1)
		}
	}
	return time.Duration(math.MaxInt64)
}

// counters are the lock-free counts of one agent or one action; nanos
// (the time spent) is kept for actions only.
type counters struct {
	count, errors atomic.Uint64
	nanos         atomic.Int64
}

// actionPerf is the performance of one action of one kind, all agents
// together.
type actionPerf struct {
	counters
	h hist
}

// perf is the system's performance monitor: per-action histograms
// (kind-wide, so memory does not grow with agents) and per-agent counters
// (in the registry entry).
type perf struct {
	since   time.Time
	mu      sync.RWMutex
	actions map[[2]string]*actionPerf // kind, action
}

func newPerf() *perf { return &perf{since: time.Now(), actions: map[[2]string]*actionPerf{}} }

func (p *perf) action(kind, action string) *actionPerf {
	k := [2]string{kind, action}
	p.mu.RLock()
	ap := p.actions[k]
	p.mu.RUnlock()
	if ap != nil {
		return ap
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ap = p.actions[k]; ap == nil {
		ap = &actionPerf{}
		p.actions[k] = ap
	}
	return ap
}

// observe records one action run of e.
func (sys *System) observe(e *entry, a *action, ap *actionPerf, d time.Duration, err error) {
	ap.nanos.Add(int64(d))
	ap.h.add(d) // the histogram's total is the action's count
	e.perf.count.Add(1)
	outcome := "ok"
	if err != nil {
		ap.errors.Add(1)
		e.perf.errors.Add(1)
		outcome = "error"
	}
	if sys.tel.Enabled(EventActionStop) {
		sys.tel.Execute(EventActionStop, telemetry.Measurements{"duration": d.Seconds()},
			telemetry.Metadata{"agent": e.id, "kind": e.kind.cfg.Kind, "action": a.info.Name, "outcome": outcome})
	}
}

// Stats are the performance figures of one agent or one action: runs,
// failed runs, their rate and throughput since the system started; for
// actions also the mean latency, and P50 and P99, the upper bounds of
// their histogram buckets (each bucket spans a factor of two).
type Stats struct {
	Kind, Action, Agent string
	Count, Errors       uint64
	ErrorRate           float64
	Throughput          float64 // runs per second since the system started
	Mean, P50, P99      time.Duration
}

func (c *counters) stats(since time.Time) Stats {
	s := Stats{Count: c.count.Load(), Errors: c.errors.Load()}
	if s.Count > 0 {
		s.ErrorRate = float64(s.Errors) / float64(s.Count)
		s.Mean = time.Duration(c.nanos.Load() / int64(s.Count))
	}
	if s.Mean < 0 {
		s.Mean = 0
	}
	if el := time.Since(since).Seconds(); el > 0 {
		s.Throughput = float64(s.Count) / el
	}
	return s
}

// ActionStats returns the performance of every action run so far, per
// kind and action, sorted.
func (sys *System) ActionStats() []Stats {
	if sys == nil {
		return nil
	}
	sys.perf.mu.RLock()
	out := make([]Stats, 0, len(sys.perf.actions))
	for k, ap := range sys.perf.actions {
		var n uint64
		for i := range ap.h.b {
			n += ap.h.b[i].Load()
		}
		ap.count.Store(n)
		s := ap.stats(sys.perf.since)
		s.Kind, s.Action = k[0], k[1]
		s.P50, s.P99 = ap.h.quantile(0.5), ap.h.quantile(0.99)
		out = append(out, s)
	}
	sys.perf.mu.RUnlock()
	slices.SortFunc(out, func(a, b Stats) int {
		switch {
		case a.Kind+"\x00"+a.Action < b.Kind+"\x00"+b.Action:
			return -1
		case a.Kind+"\x00"+a.Action > b.Kind+"\x00"+b.Action:
			return 1
		}
		return 0
	})
	return out
}

// AgentStats returns the performance of agent id (count, errors, error
// rate, throughput, mean latency).
func (sys *System) AgentStats(id string) (Stats, error) {
	if sys == nil {
		return Stats{}, nil
	}
	e := sys.lookup(id)
	if e == nil {
		return Stats{}, &UnknownAgentError{ID: id}
	}
	s := e.perf.stats(sys.perf.since)
	s.Agent, s.Kind = id, e.kind.cfg.Kind
	return s, nil
}
