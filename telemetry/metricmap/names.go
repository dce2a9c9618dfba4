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
// (bridge.EventProcessExited). It holds one small record per supervised
// child alive. The zero value is not usable; use [NewNames]. Safe for
// concurrent use.
type Names struct {
	mu      sync.Mutex // protects the fields below
	parents map[process.PID]childRef
	cache   map[process.PID]string // names given, until the process goes
}

// childRef is where a supervisor reported a child: its supervisor and id.
type childRef struct {
	sup process.PID
	id  string
}

// NewNames returns an empty table.
func NewNames() *Names {
	return &Names{parents: map[process.PID]childRef{}, cache: map[process.PID]string{}}
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
	var ref childRef
	supervised := false
	if n != nil {
		n.mu.Lock()
		if s, ok := n.cache[pid]; ok {
			n.mu.Unlock()
			return s
		}
		ref, supervised = n.parents[pid]
		n.mu.Unlock()
	}

	var info process.Info
	live := false
	if t, err := rt.Lookup(pid); err == nil {
		info, err = t.Node().Info(pid)
		live = err == nil
	}
	var s string
	switch {
	case info.Name != "":
		s = info.Name
	case supervised && depth < maxPathDepth:
		s = n.name(ref.sup, supervisorRole, depth+1) + "/" + ref.id
	case role != "" && (live || supervised):
		s = role
	case info.Behaviour != "":
		s = info.Behaviour
	case live:
		s = "process"
	default:
		return UnknownName // dead and unknown: nothing to cache
	}
	if live && n != nil {
		n.mu.Lock()
		n.cache[pid] = s
		n.mu.Unlock()
	}
	return s
}
