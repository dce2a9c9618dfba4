package supervisor

import (
	"iter"

	"github.com/seed-fe72f376/orchard/internal/idmap"
	"github.com/seed-fe72f376/orchard/process"
)

// dynTable is a dynamic supervisor's children keyed by PID (the old PID
// while restarting). Children of the supervisor's own node, all of them
// in practice, are kept by PID number in an idmap, where children started
// one after another share chunks: a start touches one cache line, not a
// fresh slot of a 100,000-entry Go map. The zero PID (an ignored restart)
// and PIDs of other nodes go to a plain map.
//
// A child is filed under its c.pid (the running process, or the dead one
// while restarting; an ignored template restart has the zero PID), which
// all yields as its key; c.pid changes only while c is out of the table.
type dynTable struct {
	node  uint32
	local idmap.Map[*child]
	other map[process.PID]*child
}

func newDynTable(node uint32) *dynTable { return &dynTable{node: node} }

func (t *dynTable) isLocal(pid process.PID) bool { return pid.Node() == t.node && !pid.IsZero() }

func (t *dynTable) len() int { return t.local.Len() + len(t.other) }

func (t *dynTable) get(pid process.PID) *child {
	if t.isLocal(pid) {
		c, _ := t.local.Get(pid.ID())
		return c
	}
	return t.other[pid]
}

// put files c under c.pid.
func (t *dynTable) put(c *child) {
	pid := c.pid
	if t.isLocal(pid) {
		t.local.Put(pid.ID(), c)
		return
	}
	if t.other == nil {
		t.other = make(map[process.PID]*child)
	}
	t.other[pid] = c
}

func (t *dynTable) remove(pid process.PID) {
	if t.isLocal(pid) {
		t.local.Delete(pid.ID())
		return
	}
	delete(t.other, pid)
}

// all yields the children with the PIDs they are kept under, in no
// particular order; the loop body may remove children.
func (t *dynTable) all() iter.Seq2[process.PID, *child] {
	return func(yield func(process.PID, *child) bool) {
		for _, c := range t.local.All() {
			if !yield(c.pid, c) {
				return
			}
		}
		for pid, c := range t.other {
			if !yield(pid, c) {
				return
			}
		}
	}
}

func (t *dynTable) clear() {
	t.local.Clear()
	clear(t.other)
}
