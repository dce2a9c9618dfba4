package process

// Target is a view of a live process for code outside it: it can send to
// the process and wait for its death, without looking the PID up again.
// Behaviours use it to implement calls (a call waits on Done as a monitor
// would). A Target stays usable after the process dies: Send then drops
// the message and Done is closed.
type Target struct{ p *Proc }

// Lookup returns a Target for pid on whichever node of this program owns
// it. It fails with [ErrInvalidPID], an error matching [ErrNodeStopped]
// when the node is gone, or a *[NoProcError] when the process is dead.
func Lookup(pid PID) (Target, error) {
	if pid.IsZero() {
		return Target{}, ErrInvalidPID
	}
	n := lookupNode(pid.node)
	if n == nil {
		return Target{}, &WrongNodeError{PID: pid}
	}
	return n.Lookup(pid)
}

// Lookup returns a Target for the live process pid of this node.
func (n *Node) Lookup(pid PID) (Target, error) {
	p, err := n.resolve(pid)
	if err != nil {
		return Target{}, err
	}
	return Target{p: p}, nil
}

// Valid reports whether t refers to a process (the zero Target does not).
func (t Target) Valid() bool { return t.p != nil }

// PID returns the target's PID.
func (t Target) PID() PID { return t.p.pid }

// Node returns the target's node.
func (t Target) Node() *Node { return t.p.node }

// Send delivers msg to the target from outside any process, with the
// rules of [Node.Send].
func (t Target) Send(msg Msg) error {
	if t.p.dead.Load() {
		t.p.node.dropped.Add(1)
		return nil
	}
	return t.p.node.deliver(t.p, PID{}, msg, false)
}

// Done returns a channel closed when the target dies.
func (t Target) Done() <-chan struct{} { return t.p.Done() }

// Reason returns the target's exit reason once it is dead, else nil.
func (t Target) Reason() error { return t.p.Reason() }

// Alive reports whether the target is alive.
func (t Target) Alive() bool { return !t.p.dead.Load() }
