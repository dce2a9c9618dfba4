package agent

import (
	"errors"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// DefaultErrorStoreSize is how many crash records a System's default
// memory error store keeps.
const DefaultErrorStoreSize = 1024

// CrashRecord is one agent crash: the agent, its exit reason (formatted),
// the stack of a panic (empty for other reasons), when, and how many times
// the agent had crashed then.
type CrashRecord struct {
	AgentID  string    `json:"agent"`
	Reason   string    `json:"reason"`
	Stack    string    `json:"stack,omitempty"`
	Time     time.Time `json:"time"`
	Restarts int       `json:"restarts"`
}

// CrashFilter selects crash records: by agent, by reason (exact), and by
// time range [Since, Until); zero fields select everything.
type CrashFilter struct {
	AgentID      string
	Reason       string
	Since, Until time.Time
}

// Match reports whether f selects r.
func (f CrashFilter) Match(r CrashRecord) bool {
	return (f.AgentID == "" || r.AgentID == f.AgentID) &&
		(f.Reason == "" || r.Reason == f.Reason) &&
		(f.Since.IsZero() || !r.Time.Before(f.Since)) &&
		(f.Until.IsZero() || r.Time.Before(f.Until))
}

// ErrorStore records agent crashes, bounded, and answers queries. Record
// is called from one process of the system at a time; it should not
// block for long (a store other than a *MemoryErrorStore delays only the
// crash records after it, see WithErrorStore).
type ErrorStore interface {
	Record(r CrashRecord)
	Query(f CrashFilter) []CrashRecord
}

// MemoryErrorStore is a bounded ErrorStore in memory: a ring of the last
// records.
type MemoryErrorStore struct {
	mu   sync.Mutex
	ring []CrashRecord
	next int
	full bool
}

// NewMemoryErrorStore returns a store keeping the last size records (at
// least 1).
func NewMemoryErrorStore(size int) *MemoryErrorStore {
	return &MemoryErrorStore{ring: make([]CrashRecord, max(size, 1))}
}

// Record keeps r, forgetting the oldest record when full.
func (m *MemoryErrorStore) Record(r CrashRecord) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.ring[m.next] = r
	m.next++
	if m.next == len(m.ring) {
		m.next, m.full = 0, true
	}
	m.mu.Unlock()
}

// Query returns the records f selects, oldest first.
func (m *MemoryErrorStore) Query(f CrashFilter) []CrashRecord {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []CrashRecord
	n := m.next
	if m.full {
		n = len(m.ring)
	}
	for i := range n {
		j := i
		if m.full {
			j = (m.next + i) % len(m.ring)
		}
		if f.Match(m.ring[j]) {
			out = append(out, m.ring[j])
		}
	}
	return out
}

// Errors returns the crash records of the system's error store that f
// selects.
func (sys *System) Errors(f CrashFilter) []CrashRecord {
	if sys == nil {
		return nil
	}
	return sys.errs.Query(f)
}

// crashLogQueue bounds the crash records waiting for a store written by
// the crash log process.
const crashLogQueue = 256

// record hands r to the error store: inline for the memory store, else
// to the crash log process, without blocking.
func (sys *System) record(r CrashRecord) {
	if sys.crashQ == nil {
		sys.errs.Record(r)
		return
	}
	select {
	case sys.crashQ <- r:
	default:
		sys.logger.Warn("agent: crash log full, crash record dropped", "agent", r.AgentID, "reason", r.Reason)
	}
}

// startCrashLog starts the crash log process, which writes the queued
// crash records to a store that may block (a child of the system's
// supervisor, started before the agents' and stopped after it).
func (sys *System) startCrashLog(parent *process.Proc) (process.PID, error) {
	return parent.Spawn(func(p *process.Proc) error {
		for {
			select {
			case r := <-sys.crashQ:
				sys.recordSafely(r)
			case <-p.Done():
				for {
					select {
					case r := <-sys.crashQ:
						sys.logger.Warn("agent: crash log stopped, crash record dropped", "agent", r.AgentID, "reason", r.Reason)
					default:
						return nil
					}
				}
			}
		}
	}, process.Linked(), asAgentCrashlog)
}

// recordSafely writes r to a store that may panic: the panic is logged
// with the record it lost, and the crash log goes on (it is a child of
// the system's one-for-all supervisor: its crash would restart every
// agent).
func (sys *System) recordSafely(r CrashRecord) {
	defer func() {
		if v := recover(); v != nil {
			sys.logger.Error("agent: error store panicked, crash record dropped", "agent", r.AgentID, "reason", r.Reason, "panic", v)
		}
	}()
	sys.errs.Record(r)
}

// stackOf returns the stack of a panic reason.
func stackOf(reason error) string {
	var pe *process.PanicError
	if errors.As(reason, &pe) {
		return string(pe.Stack)
	}
	return ""
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asAgentCrashlog = rt.Behaviour("agent.crashlog")
)
