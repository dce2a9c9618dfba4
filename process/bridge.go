package process

import (
	"reflect"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt/rtcore"
)

// The runtime plumbing that behaviours need (deadlines, node-scoped
// values, suspended and inline spawns, exit hooks, lookups by PID,
// lifecycle event hooks) is not part of this package's API: package rt
// (internal/rt) offers it to the module, through the value of bridge stored in rtcore.Bridge below
// (internal/rt/rtcore/doc.go explains why and how). bridge's methods are
// exported only so that rt's interface can name them; bridge itself is
// unexported, so they are invisible outside the module.
func init() { rtcore.Bridge = bridge{} }

// bridge implements rt's view of the runtime. Its methods do what the rt
// functions of the same names document.
type bridge struct{}

// startSweeper starts a node's deadline goroutine; Node.Stop joins it
// (rtcore.Sweeper.Close).
func startSweeper(run func()) { go run() }

// Sweeper returns n's deadline sweeper (nil for a nil node).
func (bridge) Sweeper(n *Node) *rtcore.Sweeper {
	if n.unusable() {
		return nil
	}
	return &n.deadlines
}

// Value returns the node-scoped value stored under key, creating it with
// init on first use; nil for a nil node, a key whose type is not
// comparable, or a nil init when key has no value yet.
func (bridge) Value(n *Node, key any, init func() any) any {
	if n.unusable() || (key != nil && !reflect.TypeOf(key).Comparable()) {
		return nil
	}
	if v, ok := n.values.Load(key); ok {
		return v
	}
	if init == nil {
		return nil
	}
	v, _ := n.values.LoadOrStore(key, init())
	return v
}

// StartInline returns the spawn option that runs a new handler's
// HandleStart on the spawning goroutine.
func (bridge) StartInline() SpawnOption { return SpawnOption{kind: optInline} }

// Behaviour returns the spawn option that labels the new process with
// the behaviour it runs; an empty name gives an option the spawn refuses.
func (bridge) Behaviour(name string) SpawnOption {
	if name == "" {
		return SpawnOption{err: invalidOption("rt: Behaviour", "name", "is empty")}
	}
	return SpawnOption{kind: optBehaviour, label: &name}
}

// Announce returns the spawn option that calls fn with the new process
// before anyone else can know of it.
func (bridge) Announce(fn func(*Proc)) SpawnOption {
	if fn == nil {
		return SpawnOption{err: invalidOption("rt: Announce", "fn", "is nil")}
	}
	return SpawnOption{kind: optAnnounce, announce: fn}
}

// SpawnSuspended starts a message-driven child of the live process parent
// on its behalf, from any goroutine, without running it: Resume does.
func (bridge) SpawnSuspended(n *Node, parent PID, h Handler, opts []SpawnOption) (*Proc, error) {
	if n.unusable() {
		return nil, badNode("rt: SpawnSuspended", "node", n)
	}
	if !isStarter(h) {
		return nil, invalidOption("rt: SpawnSuspended", "h", "needs a handler with HandleStart")
	}
	if n.stopping.Load() {
		return nil, ErrNodeStopped
	}
	pp, err := n.resolve(parent)
	if err != nil {
		return nil, err
	}
	c, _, err := n.spawn(pp, nil, h, spawnSuspended, opts)
	return c, err
}

// Resume lets a process made by SpawnSuspended run its HandleStart. Only
// the first call does anything; a process that died while suspended never
// runs. A nil p does nothing.
func (bridge) Resume(p *Proc) {
	if p.unusable() {
		return
	}
	p.mb.mu.Lock()
	if !p.mb.suspended {
		p.mb.mu.Unlock()
		return // resumed already
	}
	p.mb.suspended = false
	dead := p.mb.closed
	if dead {
		p.mb.running = false
	}
	p.mb.mu.Unlock()
	if !dead {
		p.node.pool.dispatch(p)
	}
}

// Lookup returns the live process pid on whichever node of this program
// owns it.
func (bridge) Lookup(pid PID) (*Proc, error) {
	if pid.IsZero() {
		return nil, ErrInvalidPID
	}
	n := lookupNode(pid.node)
	if n.unusable() {
		return nil, &WrongNodeError{PID: pid}
	}
	return n.resolve(pid)
}

// LookupOn returns the live process pid of node n.
func (bridge) LookupOn(n *Node, pid PID) (*Proc, error) {
	if n.unusable() {
		return nil, badNode("rt: LookupOn", "node", n)
	}
	return n.resolve(pid)
}

// NodeOf returns the node dest belongs to, live process or not: a PID's
// node by its number, a Name's own node, else the node of the PID dest
// resolves to; nil when there is none (a stopped node, an unresolvable
// destination of another kind).
func (bridge) NodeOf(dest Dest) *Node {
	var id uint32
	switch d := dest.(type) {
	case PID:
		id = d.node
	case Name:
		if d.node.unusable() || d.node.gone.Load() {
			return nil
		}
		return d.node
	case nil:
		return nil
	default:
		pid, err := dest.Resolve()
		if err != nil {
			return nil
		}
		id = pid.node
	}
	if n := lookupNode(id); !n.unusable() {
		return n
	}
	return nil
}

// SendOutside delivers msg to p from outside any process, with the rules
// of Node.Send; a dead p drops it.
func (bridge) SendOutside(p *Proc, msg Msg) error {
	if p.dead.Load() {
		p.node.dropped.Add(1)
		return nil
	}
	return p.node.deliver(p, PID{}, msg, false)
}

// NodeID returns the node option that gives the new node the number id
// instead of the next one in sequence (a cluster numbers its nodes
// cluster-wide). NewNode fails when a node of this program has it.
func (bridge) NodeID(id uint32) Option {
	return nodeOption(func(c *nodeConfig) error {
		if id == 0 {
			return invalidOption("rt: NodeID", "id", "is zero")
		}
		c.id = id
		return nil
	})
}

// PIDOf returns the PID with the given node and process numbers, as
// decoded from another node's message.
func (bridge) PIDOf(node uint32, id uint64) PID { return PID{node: node, id: id} }

// SetRemote makes r (a cluster, whose methods rt.Remote documents)
// reach n's peers in other programs; a nil r removes it. Local
// operations never read it.
func (bridge) SetRemote(n *Node, r any) {
	if n.unusable() {
		return
	}
	rr, ok := r.(remoteRouter)
	if !ok {
		n.remote.Store(nil)
		return
	}
	n.remote.Store(&remoteBox{rr})
}

// EventHook returns the node option that calls spawned, exited and
// zombie at every spawn, exit and zombie report of the node's processes,
// after the hooks of earlier such options.
func (bridge) EventHook(spawned func(pid, parent PID, behaviour string), exited func(pid PID, reason error, lifetime time.Duration), zombie func(ZombieInfo)) Option {
	return nodeOption(func(c *nodeConfig) error {
		if spawned == nil || exited == nil || zombie == nil {
			return invalidOption("rt: WithEventHook", "hook", "is nil")
		}
		h := &eventHooks{spawned: spawned, exited: exited, zombie: zombie}
		if prev := c.events; prev != nil {
			h = prev.then(h)
		}
		c.events = h
		return nil
	})
}

// OnExit installs fn as an exit hook of pid (see exithook.go).
func (bridge) OnExit(n *Node, pid PID, fn func(pid PID, reason error)) (rtcore.ExitHook, error) {
	h, err := n.onExit(pid, fn)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Peek returns copies of the first max messages waiting in the mailbox of
// the live process pid of n (those its goroutine already took into its
// batch are not shown), read under the mailbox lock: no cost to senders
// beyond that lock while it is read.
func (bridge) Peek(n *Node, pid PID, limit int) ([]Msg, error) {
	if n.unusable() {
		return nil, badNode("rt: Peek", "node", n)
	}
	p, err := n.resolve(pid)
	if err != nil {
		return nil, err
	}
	p.mb.mu.Lock()
	k := max(min(limit, len(p.mb.in)), 0)
	out := make([]Msg, 0, k)
	if k > 0 {
		out = append(out, p.mb.in[:k]...)
	}
	p.mb.mu.Unlock()
	return out, nil
}

// Stack returns the current stack of the live process pid of n when a
// goroutine runs it (a Func process, or a handler while it handles a
// message), "" when it is idle.
func (bridge) Stack(n *Node, pid PID) (string, error) {
	if n.unusable() {
		return "", badNode("rt: Stack", "node", n)
	}
	p, err := n.resolve(pid)
	if err != nil {
		return "", err
	}
	p.mb.mu.Lock()
	busy := p.mb.running && !p.mb.suspended
	p.mb.mu.Unlock()
	if !busy && !p.isFunc() {
		return "", nil
	}
	var d stackDumps
	return d.workerStack(p.worker.Load()), nil
}
