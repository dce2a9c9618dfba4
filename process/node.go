package process

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/idmap"
	"github.com/seed-fe72f376/orchard/internal/rt/rtcore"
)

const (
	tableShards = 64
	hotSlots    = 256
)

// Node is one runtime instance: its processes, names, timers and worker
// pool. Nodes are independent; tests create their own. Create one with
// [NewNode] and stop it with [Node.Stop].
type Node struct {
	id      uint32
	cfg     nodeConfig
	nextPID atomic.Uint64
	nextRef atomic.Uint64
	procs   [tableShards]procShard
	hot     [hotSlots]atomic.Pointer[Proc] // lookup's cache
	live    atomic.Int64
	dropped atomic.Uint64
	timers  atomic.Int64
	pool    pool
	zombies zombieSet

	// remote reaches processes of other programs (rt.InstallRemote),
	// nil outside a cluster; only operations on a PID that is not of
	// this program read it (remote.go).
	remote atomic.Pointer[remoteBox]

	deadlines rtcore.Sweeper // rt.StartDeadline's sweeper
	values    sync.Map       // rt.Value's store

	namesMu sync.RWMutex // protects names
	names   map[string]PID

	stopping atomic.Bool
	gone     atomic.Bool   // removed from the node registry
	allDead  chan struct{} // closed when live reaches 0 while stopping
	deadOnce sync.Once
}

// procShard holds the processes whose number is congruent to its index
// modulo tableShards, keyed by number / tableShards: every tableShards-th
// spawn lands in the shard's next slot, so one idmap chunk holds 16
// consecutive slots (1,024 consecutive PIDs across the shards).
type procShard struct {
	mu    sync.RWMutex // protects procs
	procs idmap.Map[*Proc]
	_     [8]byte // keep shards on separate cache lines
}

var (
	nodeSeq atomic.Uint32
	nodes   sync.Map // uint32 -> *Node
)

// recentNodes caches nodes by id for lookupNode, so a call does not go
// through the sync.Map; a slot holding another node is a miss.
var recentNodes [64]atomic.Pointer[Node]

func lookupNode(id uint32) *Node {
	slot := &recentNodes[id%uint32(len(recentNodes))]
	if n := slot.Load(); n != nil && n.id == id && !n.gone.Load() {
		return n
	}
	if v, ok := nodes.Load(id); ok {
		n := v.(*Node)
		slot.Store(n)
		return n
	}
	return nil
}

// NewNode creates and starts a runtime instance. A nil or invalid option
// is an *[ArgumentError] (matching [ErrInvalidArgument] and
// [ErrInvalidOption]); no node is made. So is a number chosen by a
// cluster that a running node of this program already has; nodes
// numbered in sequence skip the numbers taken, so they never collide.
func NewNode(opts ...Option) (*Node, error) {
	cfg := nodeConfig{zombieGrace: time.Second, stopGrace: 5 * time.Second}
	for i, o := range opts {
		if err := applyOption(&cfg, i, o); err != nil {
			return nil, err
		}
	}
	if cfg.maxIdleWorkers == 0 {
		cfg.maxIdleWorkers = max(64, 8*runtime.GOMAXPROCS(0))
	}
	n := &Node{
		cfg:     cfg,
		names:   make(map[string]PID),
		allDead: make(chan struct{}),
	}
	n.pool.init(n, cfg.maxIdleWorkers)
	n.deadlines.Init(startSweeper)
	n.zombies.init()
	n.storeEnv()
	// Numbered last, once made: lookupNode finds it from then on. Nothing
	// above started a goroutine, so a refused node leaves nothing behind.
	if !n.claimID(cfg.id) {
		return nil, invalidOption("process: NewNode", "id", "is the number of a running node")
	}
	n.pool.nodeLabel = strconv.FormatUint(uint64(n.id), 10)
	return n, nil
}

// claimID gives n the number id (0: the next free one in sequence) and
// enters n in the table of the program's nodes, in one step, so that two
// nodes never share a number: not two asking for the same one at once,
// nor a numbered one and one in sequence. It reports false when id is
// taken.
func (n *Node) claimID(id uint32) bool {
	if id != 0 {
		n.id = id
		_, taken := nodes.LoadOrStore(id, n)
		return !taken
	}
	for {
		if n.id = nodeSeq.Add(1); n.id == 0 {
			continue
		}
		if _, taken := nodes.LoadOrStore(n.id, n); !taken {
			return true
		}
	}
}

// ID returns the node's number, which every PID of this node carries (0,
// which no node has, for a nil node).
func (n *Node) ID() uint32 {
	if n.unusable() {
		return 0
	}
	return n.id
}

// Name returns a destination for a locally registered name on this node.
// Resolving the name of a nil node, or the empty name, fails with an error
// matching [ErrInvalidArgument].
func (n *Node) Name(name string) Name { return Name{node: n, name: name} }

// Stopped reports whether Stop has been called (false for a nil node,
// which every other method refuses with an error matching
// [ErrInvalidArgument]).
func (n *Node) Stopped() bool {
	if n.unusable() {
		return false
	}
	return n.stopping.Load()
}

// Stats are counters of a node.
type Stats struct {
	// Processes is the number of live processes.
	Processes int
	// Zombies is the number of killed processes whose goroutine still runs.
	Zombies int
	// Timers is the number of pending timers.
	Timers int
	// DroppedMessages counts messages sent to dead processes.
	DroppedMessages uint64
	// Workers is the number of worker goroutines, busy or idle.
	Workers int
}

// Stats returns the node's counters (zero for a nil node).
func (n *Node) Stats() Stats {
	if n.unusable() {
		return Stats{}
	}
	return Stats{
		Processes:       int(n.live.Load()),
		Zombies:         n.zombies.count(),
		Timers:          int(n.timers.Load()),
		DroppedMessages: n.dropped.Load(),
		Workers:         int(n.pool.workers.Load()),
	}
}

func (n *Node) shard(id uint64) *procShard { return &n.procs[id%tableShards] }

// lookup finds a live process. A small direct-mapped cache of recently
// found processes is read first with one atomic load and no lock: a busy
// server called by many goroutines would otherwise make every call write
// the same shard lock's cache line. PIDs are never reused, so a cached
// entry with the right PID is that process; a dead one is a miss.
func (n *Node) lookup(pid PID) *Proc {
	slot := &n.hot[pid.id%hotSlots]
	if p := slot.Load(); p != nil && p.pid == pid && !p.dead.Load() {
		return p
	}
	s := n.shard(pid.id)
	s.mu.RLock()
	p, _ := s.procs.Get(pid.id / tableShards)
	s.mu.RUnlock()
	if p != nil {
		slot.Store(p)
	}
	return p
}

func (n *Node) insert(p *Proc) {
	s := n.shard(p.pid.id)
	s.mu.Lock()
	s.procs.Put(p.pid.id/tableShards, p)
	s.mu.Unlock()
	n.live.Add(1)
}

func (n *Node) remove(p *Proc) {
	s := n.shard(p.pid.id)
	s.mu.Lock()
	s.procs.Delete(p.pid.id / tableShards)
	s.mu.Unlock()
	n.hot[p.pid.id%hotSlots].CompareAndSwap(p, nil) // let it be collected
	if n.live.Add(-1) == 0 && n.stopping.Load() {
		n.deadOnce.Do(func() { close(n.allDead) })
	}
}

// resolve finds a live local process for pid, or explains why there is none.
func (n *Node) resolve(pid PID) (*Proc, error) {
	if pid.IsZero() {
		return nil, ErrInvalidPID
	}
	if pid.node != n.id {
		return nil, &WrongNodeError{PID: pid, Node: n.id}
	}
	if p := n.lookup(pid); p != nil {
		return p, nil
	}
	return nil, &NoProcError{PID: pid, Reason: NoProc}
}

func (n *Node) each(fn func(*Proc)) {
	var ps []*Proc
	for i := range n.procs {
		s := &n.procs[i]
		s.mu.RLock()
		for _, p := range s.procs.All() {
			ps = append(ps, p)
		}
		s.mu.RUnlock()
	}
	for _, p := range ps {
		fn(p)
	}
}

// Processes returns the PIDs of all live processes, in no particular order
// (none for a nil node).
func (n *Node) Processes() []PID {
	if n.unusable() {
		return nil
	}
	var out []PID
	n.each(func(p *Proc) { out = append(out, p.pid) })
	return out
}

func (n *Node) newRef() Ref { return Ref{node: n.id, id: n.nextRef.Add(1)} }

// MakeRef returns a new node-unique reference (the zero Ref, which names
// nothing, for a nil node).
func (n *Node) MakeRef() Ref {
	if n.unusable() {
		return Ref{}
	}
	return n.newRef()
}

// Stop shuts the node down and waits, bounded by ctx, until it is done:
//
//  1. new spawns fail with [ErrNodeStopped];
//  2. every process without a live parent gets the exit signal [Shutdown],
//     so supervision trees stop top-down in their own order;
//  3. when every process is gone, or half the time left in ctx has passed
//     (the node's stop grace when ctx has no deadline), the rest are killed;
//  4. Stop waits up to the zombie grace for process goroutines to return,
//     then releases the worker pool;
//  5. the resources the node's services opened (the embedded storage
//     engine) are closed, unless an application on the node did already
//     (a zombie left by step 4 may find them closed).
//
// It returns nil when everything stopped, a *[StopError] listing what was
// left otherwise, and [ErrStopped] on every call after the first. A nil
// node or a nil ctx is an error matching [ErrInvalidArgument]; nothing
// is stopped.
func (n *Node) Stop(ctx context.Context) error {
	if n.unusable() {
		return badNode("process: Node.Stop", "receiver", n)
	}
	if ctx == nil {
		return argerr.Nil("process: Node.Stop", "ctx")
	}
	if !n.stopping.CompareAndSwap(false, true) {
		return ErrStopped
	}
	if n.live.Load() == 0 {
		n.deadOnce.Do(func() { close(n.allDead) })
	}
	grace := n.cfg.stopGrace
	if dl, ok := ctx.Deadline(); ok {
		grace = time.Until(dl) / 2
	}
	if !n.shutdownRoots(ctx, grace) {
		n.each(func(p *Proc) { p.exitSignal(PID{}, Kill, false, nil) })
	}
	n.waitAllDead(ctx, n.cfg.zombieGrace)
	n.pool.drain(ctx, n.cfg.zombieGrace)
	n.stopTimers()
	n.closeEnv(ctx)
	n.gone.Store(true)
	n.deadlines.Close()
	nodes.Delete(n.id)
	recentNodes[n.id%uint32(len(recentNodes))].CompareAndSwap(n, nil)
	zs := n.Zombies()
	if rest := int(n.live.Load()); rest > 0 || len(zs) > 0 {
		for _, z := range zs {
			n.publishZombie(z)
		}
		return &StopError{Remaining: rest, Zombies: zs}
	}
	return nil
}

// shutdownRoots sends Shutdown to every process whose parent is gone,
// again and again as orphans appear, until all are dead or grace is over.
func (n *Node) shutdownRoots(ctx context.Context, grace time.Duration) bool {
	deadline := time.Now().Add(grace)
	signalled := make(map[PID]bool)
	for {
		n.each(func(p *Proc) {
			if !signalled[p.pid] && (p.parent == 0 || n.lookup(p.parentPID()) == nil) {
				signalled[p.pid] = true
				p.exitSignal(PID{}, Shutdown, false, nil)
			}
		})
		left := time.Until(deadline)
		if left <= 0 {
			return n.live.Load() == 0
		}
		if n.waitAllDead(ctx, min(left, 5*time.Millisecond)) {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
	}
}

func (n *Node) waitAllDead(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		d = time.Millisecond
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-n.allDead:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return n.live.Load() == 0
}

// unusable reports a nil Node, or a zero one declared as a value instead
// of made by NewNode (no node has the number 0): both are bad input to
// every method (docs/ERRORS.md).
func (n *Node) unusable() bool { return n == nil || n.id == 0 }

// badNode is the error of op called on an unusable node n, passed as arg.
func badNode(op, arg string, n *Node) error {
	if n == nil {
		return argerr.Nil(op, arg)
	}
	return argerr.New(op, arg, "is a zero Node, not one made by NewNode")
}
