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
	sups map[process.PID]*Sup
}

type key struct{}

func of(n *process.Node) *table {
	v := rt.Value(n, key{}, func() any { return &table{sups: map[process.PID]*Sup{}} })
	t, _ := v.(*table)
	return t
}

// Add records the live supervisor pid of node n; it leaves the table when
// it exits. Adding a PID twice keeps the first record.
func Add(n *process.Node, pid process.PID, strategy string, dynamic bool, maxRestarts int, period time.Duration) {
	t := of(n)
	if t == nil {
		return
	}
	t.mu.Lock()
	if _, ok := t.sups[pid]; ok {
		t.mu.Unlock()
		return
	}
	t.sups[pid] = &Sup{PID: pid, Strategy: strategy, Dynamic: dynamic, MaxRestarts: maxRestarts, Period: period}
	t.mu.Unlock()
	if _, err := rt.OnExit(n, pid, func(pid process.PID, _ error) { t.remove(pid) }); err != nil {
		t.remove(pid) // already gone
	}
}

func (t *table) remove(pid process.PID) {
	t.mu.Lock()
	delete(t.sups, pid)
	t.mu.Unlock()
}

// Restarted counts one restart of child id by supervisor pid, made at now
// (the supervisor reads the clock once per restart).
func Restarted(n *process.Node, pid process.PID, id string, now time.Time) {
	t := of(n)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sups[pid]
	if s == nil {
		return
	}
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
	defer t.mu.Unlock()
	s := t.sups[pid]
	if s == nil {
		return Sup{}, false
	}
	return s.copy(), true
}

func (s *Sup) copy() Sup {
	c := *s
	if s.Children != nil {
		c.Children = make(map[string]ChildRestarts, len(s.Children))
		for k, v := range s.Children {
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
	out := make([]Sup, 0, len(t.sups))
	for _, s := range t.sups {
		out = append(out, s.copy())
	}
	t.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].PID.ID() < out[j].PID.ID() })
	return out
}
