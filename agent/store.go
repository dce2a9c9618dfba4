package agent

import (
	"context"
	"encoding/json"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"sync"
	"time"
)

// Snapshot is an agent's persisted state: the state encoded as JSON, the
// state schema Version of the kind that wrote it, Seq (how many actions
// the agent ran in all) and Time.
type Snapshot struct {
	Version int             `json:"v"`
	Seq     uint64          `json:"seq"`
	Time    time.Time       `json:"t"`
	Data    json.RawMessage `json:"d"`
}

// Store keeps the latest snapshot of each agent. Its methods may be
// called from many agents at once. Load returns ErrNoSnapshot for an
// agent with none. The memory store is NewMemoryStore; package
// agent/kvstore keeps snapshots in JetStream KV.
type Store interface {
	Save(ctx context.Context, id string, s Snapshot) error
	Load(ctx context.Context, id string) (Snapshot, error)
	Delete(ctx context.Context, id string) error
}

// MemoryStore is a Store in memory, for tests and for hibernation within
// one OS process.
type MemoryStore struct {
	mu sync.RWMutex
	m  map[string]Snapshot
}

// NewMemoryStore returns an empty memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]Snapshot{}} }

// Save keeps s as id's snapshot.
func (m *MemoryStore) Save(_ context.Context, id string, s Snapshot) error {
	if m == nil {
		return argerr.Nil("agent: MemoryStore.Save", "store")
	}
	m.mu.Lock()
	m.m[id] = s
	m.mu.Unlock()
	return nil
}

// Load returns id's snapshot, or ErrNoSnapshot.
func (m *MemoryStore) Load(_ context.Context, id string) (Snapshot, error) {
	if m == nil {
		return Snapshot{}, argerr.Nil("agent: MemoryStore.Load", "store")
	}
	m.mu.RLock()
	s, ok := m.m[id]
	m.mu.RUnlock()
	if !ok {
		return Snapshot{}, ErrNoSnapshot
	}
	return s, nil
}

// Delete forgets id's snapshot.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	if m == nil {
		return argerr.Nil("agent: MemoryStore.Delete", "store")
	}
	m.mu.Lock()
	delete(m.m, id)
	m.mu.Unlock()
	return nil
}

// Len returns how many snapshots the store holds.
func (m *MemoryStore) Len() int {
	if m == nil {
		return 0
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.m)
}

// Policy is when an agent snapshots its state to the system's store
// (besides when it hibernates or stops gracefully, which always
// snapshot): after EveryAction, after every EveryN actions, or after an
// action when Interval passed since the last snapshot. The zero Policy
// snapshots only on hibernation and graceful stop.
type Policy struct {
	EveryAction bool
	EveryN      int
	Interval    time.Duration
}

// due reports whether a snapshot is due after an action.
func (p Policy) due(sinceLast int, last time.Time) bool {
	switch {
	case p.EveryAction:
		return true
	case p.EveryN > 0 && sinceLast >= p.EveryN:
		return true
	case p.Interval > 0 && time.Since(last) >= p.Interval:
		return true
	}
	return false
}
