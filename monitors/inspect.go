package monitors

import (
	"cmp"
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Info describes one active monitor.
type Info struct {
	Ref    Ref
	Caller process.PID
	Target process.PID
	Tag    string
	// Created is when Monitor made it; Age is the time since then.
	Created time.Time
	Age     time.Duration
	// TargetAlive is false only in the instant between the target's death
	// and the removal of its monitors.
	TargetAlive bool
}

// Stats are a manager's counters. Active = Created − Cleaned −
// Demonitored.
type Stats struct {
	// Created counts the monitors made (including those whose target was
	// already dead).
	Created uint64
	// Cleaned counts the monitors removed because their target or caller
	// died.
	Cleaned uint64
	// Demonitored counts the monitors removed by Demonitor or Close.
	Demonitored uint64
	// Leaked counts the monitors the periodic check flagged as potential
	// leaks; each is counted once, and stays counted after its removal.
	Leaked uint64
	// Undelivered counts Downs a caller's bounded mailbox refused.
	Undelivered uint64
	// Active is the number of monitors in place now.
	Active int
}

// Stats returns the manager's counters. Each shard is read under its
// lock, so the sum is consistent per shard, not across shards.
func (m *Manager) Stats() Stats {
	if !m.usable() {
		return Stats{}
	}
	s := Stats{Leaked: m.leaked.Load(), Undelivered: m.dropped.Load()}
	for i := range m.refs {
		rs := &m.refs[i]
		rs.mu.Lock()
		s.Created += rs.created
		s.Cleaned += rs.cleaned
		s.Demonitored += rs.demonitored
		s.Active += len(rs.entries)
		rs.mu.Unlock()
	}
	return s
}

// List returns every active monitor, oldest first.
func (m *Manager) List() []Info {
	if !m.usable() {
		return nil
	}
	return m.collect(func(*entry) bool { return true })
}

// FindLeaks returns the active monitors older than olderThan, oldest
// first: potential leaks (see the package doc). It does not flag them or
// emit anything; the periodic check does. A negative olderThan, or a nil
// Manager, finds nothing.
func (m *Manager) FindLeaks(olderThan time.Duration) []Info {
	if olderThan < 0 || !m.usable() {
		return nil
	}
	now := time.Now()
	return m.collect(func(e *entry) bool { return now.Sub(e.created) > olderThan })
}

// collect snapshots the entries keep selects, oldest first.
func (m *Manager) collect(keep func(*entry) bool) []Info {
	var es []*entry
	for i := range m.refs {
		rs := &m.refs[i]
		rs.mu.Lock()
		for _, e := range rs.entries {
			if keep(e) {
				es = append(es, e)
			}
		}
		rs.mu.Unlock()
	}
	slices.SortFunc(es, bySeq)
	now := time.Now()
	out := make([]Info, len(es))
	for i, e := range es {
		out[i] = Info{Ref: e.ref, Caller: e.caller, Target: e.target, Tag: e.tag,
			Created: e.created, Age: now.Sub(e.created), TargetAlive: m.node.IsAlive(e.target)}
	}
	return out
}

// checkLeaks flags the monitors older than the threshold that were not
// flagged before, emits EventLeakDetected for each and EventLeakCheck for
// the run, and returns the number of new leaks.
func (m *Manager) checkLeaks() int {
	start := time.Now()
	var fresh []*entry
	leaks, active := 0, 0
	for i := range m.refs {
		rs := &m.refs[i]
		rs.mu.Lock()
		active += len(rs.entries)
		for _, e := range rs.entries {
			if start.Sub(e.created) <= m.cfg.threshold {
				continue
			}
			leaks++
			if !e.flagged {
				e.flagged = true
				fresh = append(fresh, e)
			}
		}
		rs.mu.Unlock()
	}
	m.leaked.Add(uint64(len(fresh)))
	slices.SortFunc(fresh, bySeq)
	for _, e := range fresh {
		m.emitLeak(e, start.Sub(e.created))
	}
	if m.tel.Enabled(EventLeakCheck) {
		m.tel.Execute(EventLeakCheck, telemetry.Measurements{
			"active": float64(active), "leaks": float64(leaks), "new": float64(len(fresh)),
			"duration": time.Since(start).Seconds(),
		}, nil)
	}
	return len(fresh)
}

func bySeq(a, b *entry) int { return cmp.Compare(a.ref.id, b.ref.id) }
