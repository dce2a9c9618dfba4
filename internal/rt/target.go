package rt

import (
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Target is a view of a live process for code outside it: it can send to
// the process and wait for its death, without looking the PID up again.
// Behaviours use it to implement calls (a call waits on Done as a monitor
// would). A Target stays usable after the process dies: Send then drops
// the message and Done is closed.
type Target struct{ p *process.Proc }

// Lookup returns a Target for pid on whichever node of this program owns
// it. It fails with process.ErrInvalidPID, an error matching
// process.ErrNodeStopped when the node is gone, or a *process.NoProcError
// when the process is dead.
func Lookup(pid process.PID) (Target, error) {
	p, err := impl.Lookup(pid)
	if err != nil {
		return Target{}, err
	}
	return Target{p: p}, nil
}

// LookupOn returns a Target for the live process pid of node n (process's
// former Node.Lookup). A nil n is an error matching
// process.ErrInvalidArgument.
func LookupOn(n *process.Node, pid process.PID) (Target, error) {
	p, err := impl.LookupOn(n, pid)
	if err != nil {
		return Target{}, err
	}
	return Target{p: p}, nil
}

// Valid reports whether t refers to a process (the zero Target does not).
// The zero Target's methods never panic: PID and Node return zero values,
// Alive false, Reason nil, Done a closed channel, and Send an error
// matching process.ErrInvalidArgument.
func (t Target) Valid() bool { return t.p != nil }

// PID returns the target's PID.
func (t Target) PID() process.PID { return t.p.PID() }

// Node returns the target's node.
func (t Target) Node() *process.Node { return t.p.Node() }

// Send delivers msg to the target from outside any process, with the
// rules of [process.Node.Send].
func (t Target) Send(msg process.Msg) error {
	if t.p == nil {
		return argerr.New("rt: Target.Send", "receiver", "is the zero Target")
	}
	return impl.SendOutside(t.p, msg)
}

// Done returns a channel closed when the target dies.
func (t Target) Done() <-chan struct{} { return t.p.Done() }

// Reason returns the target's exit reason once it is dead, else nil.
func (t Target) Reason() error { return t.p.Reason() }

// Alive reports whether the target is alive.
func (t Target) Alive() bool { return t.p.Alive() }

// MailboxLen returns the number of messages waiting for the target (an
// atomic read: no lock of the target's, no copy, unlike Node.Info); 0
// for the zero Target.
func (t Target) MailboxLen() int { return t.p.MailboxLen() }

// NodeOf returns the node dest belongs to, whether or not a live process
// holds it: a PID's node by its number, a process.Name's own node, else
// the node of the PID dest resolves to; nil when there is none. Services
// that read a node's environment for a send from outside any process use
// it, so a send to a dead PID or an unregistered name still reports on the
// destination's node.
func NodeOf(dest process.Dest) *process.Node { return impl.NodeOf(dest) }
