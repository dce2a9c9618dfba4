package supinfo

import (
	"sort"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Sup is what the table knows of one supervisor.
type Sup struct {
	PID      process.PID
	Strategy string // "one_for_one", "one_for_all", "rest_for_one"
	Dynamic  bool
	// MaxRestarts and Period are its intensity.
	MaxRestarts int
	Period      time.Duration
	// Restarts counts the restarts it made; LastRestart is the time of
	// the latest (zero when none).
	Restarts    int
	LastRestart time.Time
	// Children holds per child id the restart count and last restart.
	Children map[string]ChildRestarts
}

// ChildRestarts is one child's restart count and latest restart.
type ChildRestarts struct {
	Count int
	Last  time.Time
}

type table struct {
	mu   sync.Mutex
	sups map[process.PID]*Rec
}

// Rec is the live record of one supervisor: the supervisor holds it and
// counts its restarts in it, under its own lock, so a restart touches
// neither the node's table nor its lock.
type Rec struct {
	mu  sync.Mutex
	sup Sup
}

type key struct{}

func of(n *process.Node) *table {
	v := rt.Value(n, key{}, func() any { return &table{sups: map[process.PID]*Rec{}} })
	t, _ := v.(*table)
	return t
}

// Add records the live supervisor pid of node n and returns its record;
// it leaves the table when it exits. Adding a PID twice keeps the first
// record and returns it. A nil node has no table: the record returned is
// nil, and a nil record's Restarted does nothing.
func Add(n *process.Node, pid process.PID, strategy string, dynamic bool, maxRestarts int, period time.Duration) *Rec {
	t := of(n)
	if t == nil {
		return nil
	}
	t.mu.Lock()
	if r, ok := t.sups[pid]; ok {
		t.mu.Unlock()
		return r
	}
	r := &Rec{sup: Sup{PID: pid, Strategy: strategy, Dynamic: dynamic, MaxRestarts: maxRestarts, Period: period}}
	t.sups[pid] = r
	t.mu.Unlock()
	if _, err := rt.OnExit(n, pid, func(pid process.PID, _ error) { t.remove(pid) }); err != nil {
		t.remove(pid) // already gone
	}
	return r
}

func (t *table) remove(pid process.PID) {
	t.mu.Lock()
	delete(t.sups, pid)
	t.mu.Unlock()
}

// Restarted counts one restart of child id, made at now (the supervisor
// reads the clock once per restart).
func (r *Rec) Restarted(id string, now time.Time) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.sup
	s.Restarts++
	s.LastRestart = now
	if s.Children == nil {
		s.Children = map[string]ChildRestarts{}
	}
	c := s.Children[id]
	c.Count++
	c.Last = now
	s.Children[id] = c
}

// Get returns a copy of the record of supervisor pid.
func Get(n *process.Node, pid process.PID) (Sup, bool) {
	t := of(n)
	if t == nil {
		return Sup{}, false
	}
	t.mu.Lock()
	r := t.sups[pid]
	t.mu.Unlock()
	if r == nil {
		return Sup{}, false
	}
	return r.copy(), true
}

// copy returns a copy of r's record, its Children map included.
func (r *Rec) copy() Sup {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.sup
	if r.sup.Children != nil {
		c.Children = make(map[string]ChildRestarts, len(r.sup.Children))
		for k, v := range r.sup.Children {
			c.Children[k] = v
		}
	}
	return c
}

// List returns copies of every live supervisor of n, oldest PID first.
func List(n *process.Node) []Sup {
	t := of(n)
	if t == nil {
		return nil
	}
	t.mu.Lock()
	recs := make([]*Rec, 0, len(t.sups))
	for _, r := range t.sups {
		recs = append(recs, r)
	}
	t.mu.Unlock()
	out := make([]Sup, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.copy())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID.ID() < out[j].PID.ID() })
	return out
}
