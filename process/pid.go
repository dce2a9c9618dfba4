package process

import (
	"strconv"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// PID identifies a process. It is a small comparable value: it can be a map
// key, compared with ==, and copied freely. A PID of a dead process stays a
// valid value; messages sent to it are dropped and counted by its node.
//
// The zero PID identifies no process.
type PID struct {
	node uint32
	id   uint64
}

// IsZero reports whether p is the zero PID.
func (p PID) IsZero() bool { return p.id == 0 }

// Node returns the number of the node the process lives on.
func (p PID) Node() uint32 { return p.node }

// ID returns the process number within its node.
func (p PID) ID() uint64 { return p.id }

// String prints the PID as <node.id>, for example <1.42>. The form is stable.
func (p PID) String() string {
	if p.id == 0 {
		return "<nil>"
	}
	b := make([]byte, 0, 24)
	b = append(b, '<')
	b = strconv.AppendUint(b, uint64(p.node), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, p.id, 10)
	b = append(b, '>')
	return string(b)
}

// Resolve returns p itself, so a PID is a [Dest].
func (p PID) Resolve() (PID, error) {
	if p.IsZero() {
		return PID{}, ErrInvalidPID
	}
	return p, nil
}

// Ref is a node-unique reference, as made by make_ref/0 in Erlang. Monitors
// and timers are identified by refs.
type Ref struct {
	node uint32
	id   uint64
}

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.id == 0 }

// String prints the Ref as #Ref<node.id>.
func (r Ref) String() string {
	return "#Ref<" + strconv.FormatUint(uint64(r.node), 10) + "." + strconv.FormatUint(r.id, 10) + ">"
}

// Dest is where a message or call can go: a [PID], a locally registered
// [Name], or a name held by a registry (registry.Via).
// Resolve is called once per send attempt, so a name follows a restarted
// process.
type Dest interface {
	// Resolve returns the PID the destination names now, or an error
	// (for a name without a process: a *[NoProcError] with its Name,
	// which matches [NoProc]).
	Resolve() (PID, error)
}

// Name is a destination made of a node and a locally registered name.
// Build it with [Node.Name].
type Name struct {
	node *Node
	name string
}

// Resolve looks the name up in its node's local name table. The zero Name
// (no node) and an empty name are errors matching [ErrInvalidArgument].
func (n Name) Resolve() (PID, error) {
	if n.node == nil {
		return PID{}, argerr.Nil("process: Name.Resolve", "node")
	}
	if n.name == "" {
		return PID{}, argerr.Empty("process: Name.Resolve", "name")
	}
	pid, ok := n.node.WhereIs(n.name)
	if !ok {
		return PID{}, &NoProcError{Name: n.name, Reason: NoProc}
	}
	return pid, nil
}

// String returns the registered name.
func (n Name) String() string { return n.name }
