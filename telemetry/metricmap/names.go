package metricmap

import (
	"sync"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

// maxPathDepth bounds the walk up a supervision tree in [Names.Name].
const maxPathDepth = 32

// UnknownName is the label value of a process that [Names] cannot name:
// one that is dead and was never reported by a supervisor.
const UnknownName = "unknown"

// Names gives processes a stable name for metric labels, so that a
// supervisor's restarts do not open new series: a PID changes on every
// restart, and labelling by PID grows a metric without bound. The name of
// a process is, in order:
//
//  1. its registered name (process.WithName, supervisor.WithName), read
//     from its node;
//  2. its path in the supervision tree: the name of the supervisor that
//     reported it started (supervisor.EventChildStarted), a slash and
//     its child id ("root/pipeline/validator");
//  3. its role, when the caller knows it: a PID found under the metadata
//     key "supervisor" is a supervisor, and [Router] labels it
//     "supervisor" ([Names.NameAs]); else its behaviour ("genserver"),
//     read from its node;
//  4. [UnknownName].
//
// A supervisor reports a child started once the child's start function
// returned, so the events a child supervisor publishes while it starts
// its own children come before its path is known: they are labelled by
// its behaviour, at every restart alike. Name roots and other
// supervisors with supervisor.WithName to tell them apart from the
// start.
//
// Names learns paths from the events given to [Names.Observe] (a
// [Router] gives it every event it receives) and forgets a process when
// its supervisor reports it exited or terminated, or when it exits
// (bridge.EventProcessExited, published only by a node with
// bridge.NodeEvents). A process that goes without such an event (the
// children of a killed supervisor, which publishes nothing, on a node
// without bridge.NodeEvents) is forgotten by a sweep: each time the table
// has doubled since the last sweep, the entries of dead processes are
// dropped. The table so holds fewer entries than twice those of live
// processes at its last sweep, or than 64, whichever is more (at most
// two entries per live process it names), and the sweeps cost at most
// two liveness checks per entry added.
//
// A name is cached once computed, except that a name reached through a
// process no supervisor has reported (an unnamed process, possibly a
// supervisor still starting, which its own supervisor reports later) is
// kept only until the next [supervisor.EventChildStarted]: a child
// supervisor labelled while its parent starts is "supervisor/g" at first
// and "root/s/g" once its parent is reported.
//
// The zero value is not usable; use [NewNames]. Safe for concurrent use.
type Names struct {
	mu      sync.Mutex // protects the fields below
	parents map[process.PID]childRef
	cache   map[process.PID]cachedName // names given, until the process goes
	epoch   uint64                     // count of EventChildStarted seen
	sweepAt int                        // len(parents)+len(cache) that triggers a sweep
}

// namesMinSweep is the table size of the first sweep, and the least size
// of any sweep: a small table is never swept.
const namesMinSweep = 64

// childRef is where a supervisor reported a child: its supervisor and id.
type childRef struct {
	sup process.PID
	id  string
}

// cachedName is a name given. A name is resolved when it cannot change
// while the process lives: a registered name, or a path whose topmost
// process has a registered name. Other names hold only while epoch is the
// table's.
type cachedName struct {
	name     string
	resolved bool
	epoch    uint64
}

// NewNames returns an empty table.
func NewNames() *Names {
	return &Names{parents: map[process.PID]childRef{}, cache: map[process.PID]cachedName{}, sweepAt: namesMinSweep}
}

// supervisorRole is the metadata key, and the role, of a supervisor in
// the supervisor events.
const supervisorRole = "supervisor"

// TrackedEvents are the events [Names.Observe] learns from.
var TrackedEvents = []string{
	supervisor.EventChildStarted, supervisor.EventChildRestarting,
	supervisor.EventChildTerminated, bridge.EventProcessExited,
}

// Observe updates the table from one telemetry event; events other than
// [TrackedEvents] are ignored, and so is a nil receiver.
func (n *Names) Observe(event string, md telemetry.Metadata) {
	if n == nil {
		return
	}
	pid, _ := md["pid"].(process.PID)
	if pid.IsZero() {
		return
	}
	switch event {
	case supervisor.EventChildStarted:
		sup, _ := md["supervisor"].(process.PID)
		id, _ := md["id"].(string)
		if sup.IsZero() || id == "" {
			return
		}
		n.mu.Lock()
		n.parents[pid] = childRef{sup: sup, id: id}
		delete(n.cache, pid) // named by behaviour while it started its children
		n.epoch++            // names reached through pid, computed before, are stale
		n.addedLocked()
		n.mu.Unlock()
	case supervisor.EventChildRestarting, supervisor.EventChildTerminated, bridge.EventProcessExited:
		n.mu.Lock()
		delete(n.parents, pid)
		delete(n.cache, pid)
		n.mu.Unlock()
	}
}

// Name returns the stable name of pid (see [Names]); never its PID. A nil
// table knows no paths: it gives the registered name, the behaviour or
// [UnknownName].
func (n *Names) Name(pid process.PID) string { return n.name(pid, "", 0) }

// NameAs is [Names.Name] for a process known to play role (say
// "supervisor"): role replaces the behaviour when the process has neither
// a registered name nor a known path. An empty role is Name.
func (n *Names) NameAs(pid process.PID, role string) string { return n.name(pid, role, 0) }

func (n *Names) name(pid process.PID, role string, depth int) string {
	s, _ := n.resolve(pid, role, depth)
	return s
}

// resolve returns the name of pid and whether it is resolved (see
// cachedName).
func (n *Names) resolve(pid process.PID, role string, depth int) (string, bool) {
	var ref childRef
	var epoch uint64
	supervised := false
	if n != nil {
		n.mu.Lock()
		if c, ok := n.cache[pid]; ok && (c.resolved || c.epoch == n.epoch) {
			n.mu.Unlock()
			return c.name, c.resolved
		}
		ref, supervised = n.parents[pid]
		epoch = n.epoch
		n.mu.Unlock()
	}

	var info process.Info
	live := false
	if t, err := rt.Lookup(pid); err == nil {
		info, err = t.Node().Info(pid)
		live = err == nil
	}
	var s string
	resolved := false
	switch {
	case info.Name != "":
		s, resolved = info.Name, true
	case supervised && depth < maxPathDepth:
		var sup string
		sup, resolved = n.resolve(ref.sup, supervisorRole, depth+1)
		s = sup + "/" + ref.id
	case role != "" && (live || supervised):
		s = role
	case info.Behaviour != "":
		s = info.Behaviour
	case live:
		s = "process"
	default:
		return UnknownName, false // dead and unknown: nothing to cache
	}
	if live && n != nil {
		n.mu.Lock()
		n.cache[pid] = cachedName{name: s, resolved: resolved, epoch: epoch}
		n.addedLocked()
		n.mu.Unlock()
	}
	return s, resolved
}

// addedLocked sweeps the table when it has reached n.sweepAt entries:
// it drops the entries of dead processes and sets the next sweep at
// twice what is left (at least namesMinSweep). The entries left are
// about live processes, so the table stays proportional to them, and the
// liveness checks of a sweep are paid for by the entries added since the
// previous one. n.mu is held; rt.Lookup takes only the node table's lock
// and calls nothing back.
func (n *Names) addedLocked() {
	if len(n.parents)+len(n.cache) < n.sweepAt {
		return
	}
	for pid := range n.parents {
		if !alive(pid) {
			delete(n.parents, pid)
		}
	}
	for pid := range n.cache {
		if !alive(pid) {
			delete(n.cache, pid)
		}
	}
	n.sweepAt = max(namesMinSweep, 2*(len(n.parents)+len(n.cache)))
}

// alive reports whether pid is a live process of a node of this program.
func alive(pid process.PID) bool {
	t, err := rt.Lookup(pid)
	return err == nil && t.Alive()
}
