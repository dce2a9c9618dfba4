package cluster

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Node is one node of a cluster: a process.Node whose PIDs are numbered
// cluster-wide, the node's NATS engine (embedded and routed to the other
// nodes' servers, or connected to an external cluster), and the
// membership it sees. Sends, calls and casts from its processes to
// processes of other nodes cross NATS; local ones never touch it.
type Node struct {
	cfg   Config
	id    uint32
	proc  *process.Node
	eng   *natsengine.Engine
	nc    *nats.Conn
	codec Codec
	types *types

	subs     []*nats.Subscription
	out      outboxes // one-way envelopes to other nodes (outbox.go)
	srv      servers  // the processes serving remote calls (serve.go)
	calls    calls    // outstanding requests to other nodes (calls.go)
	stopped  atomic.Bool
	recorded atomic.Bool // the membership record is written (kvrecord.go)
	glob     global      // the global registry (global.go)
	fenceMu  sync.Mutex  // protects fences
	fences   jetstream.KeyValue
	leaveMu  sync.Mutex // protects leaves and leaveSeq
	leaves   []leave
	leaveSeq uint64
	svcMu    sync.Mutex  // protects svc
	svc      process.PID // the services supervisor (services.go), once started

	mu          sync.Mutex // protects members, watchers, lastSweep and thawedUntil
	lastSweep   time.Time  // when the heartbeat process last swept
	thawedUntil time.Time  // no node is declared down before (sweep: back from a freeze)
	members     map[uint32]*member
	watchers    map[uint64]*watcher
	nextW       uint64
}

// member is what a node knows of another.
type member struct {
	name     string
	lastSeen time.Time
	up       bool
}

// NodeNumber returns the number of the node named name: every PID of
// that node carries it. It is derived from the name (FNV-1a, top bit
// set so that it never equals the number of a node outside a cluster),
// so every node computes it alike.
func NodeNumber(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return h.Sum32() | 1<<31
}

func pidOf(node uint32, id uint64) process.PID { return rt.PIDOf(uint64(node), id) }

// Start makes a process.Node (with opts) numbered for the cluster, starts
// its NATS engine as cfg says and joins the cluster: it returns once the
// engine is ready and the node's subjects are subscribed; other nodes see
// it at its first heartbeat. Bad input is an error matching
// [ErrInvalidArgument]; a non-loopback listener without authentication is
// an [*InsecureError]. On error nothing is left running.
func Start(ctx context.Context, cfg Config, opts ...process.Option) (*Node, error) {
	if ctx == nil {
		return nil, argerr.Nil("cluster: Start", "ctx")
	}
	cfg = cfg.withDefaults()
	host, port, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, id: NodeNumber(cfg.Name), codec: cfg.Codec, types: newTypes(),
		members: map[uint32]*member{}, watchers: map[uint64]*watcher{}}
	n.glob.names = map[string]entry{}
	n.glob.hooks = map[string]localReg{}
	n.calls.waiting = map[uint64]*pending{}
	n.proc, err = process.NewNode(append(opts[:len(opts):len(opts)], rt.NodeID(n.id))...)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Node, error) {
		rt.InstallRemote(n.proc, nil)
		for _, s := range n.subs {
			_ = s.Unsubscribe()
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.proc.Stop(sctx)
		return nil, err
	}
	nc := natsengine.NodeConfig{Dir: cfg.Dir, URL: cfg.URL, ServerName: cfg.Name, Logger: cfg.ServerLogger}
	if cfg.URL != "" {
		nc.Auth = &natsengine.ClientAuth{User: cfg.User, Password: cfg.Password,
			NKeySeedFile: cfg.NKeySeedFile, CredsFile: cfg.CredsFile, TLS: cfg.TLS}
	} else {
		nc.Cluster = &natsengine.Cluster{Name: cfg.ClusterName, Host: host, Port: port, Routes: cfg.Routes,
			User: cfg.User, Password: cfg.Password, TLS: cfg.TLS, PingInterval: cfg.DownAfter}
	}
	if err := natsengine.Configure(n.proc, nc); err != nil {
		return fail(err)
	}
	if err := natsengine.SetReplicas(n.proc, n.replicas); err != nil { // agent/kvstore, kvcoord, jsstore follow it
		return fail(err)
	}
	if n.eng, err = natsengine.ForNode(ctx, n.proc); err != nil {
		return fail(err)
	}
	n.nc = n.eng.Conn()
	if n.out.flusher, err = n.proc.Spawn(n.flusher, rt.Behaviour("cluster.outbox")); err != nil {
		return fail(err)
	}
	n.calls.prefix = n.nc.NewInbox() + "."
	for subj, h := range map[string]nats.MsgHandler{
		n.subject(n.id):      n.onMessage,
		n.beatSubject():      n.onBeat,
		n.calls.prefix + "*": n.onReply,
	} {
		s, err := n.nc.Subscribe(subj, h)
		if err != nil {
			return fail(fmt.Errorf("cluster: subscribe %s: %w", subj, err))
		}
		_ = s.SetPendingLimits(-1, -1) // a remote mailbox is unbounded, as a local one
		n.subs = append(n.subs, s)
	}
	fctx, fcancel := context.WithTimeout(ctx, natsengine.DefaultReadyTimeout) // Flush needs a deadline
	defer fcancel()
	if err := n.nc.FlushWithContext(fctx); err != nil {
		return fail(fmt.Errorf("cluster: flush: %w", err))
	}
	rt.InstallRemote(n.proc, (*router)(n))
	if _, err := n.proc.Spawn(n.heartbeat, rt.Behaviour("cluster.heartbeat")); err != nil {
		return fail(err)
	}
	if _, err := n.proc.Spawn(n.recorder, rt.Behaviour("cluster.recorder")); err != nil {
		return fail(err)
	}
	if n.glob.reaper, err = n.proc.Spawn(n.reaperLoop, rt.Behaviour("cluster.registry.reaper")); err != nil {
		return fail(err)
	}
	if _, err := n.proc.Spawn(n.watchLoop, rt.Behaviour("cluster.registry.watch")); err != nil {
		return fail(err)
	}
	if err := n.startSpawner(); err != nil { // spawn.go
		return fail(err)
	}
	return n, nil
}

// Process returns the node's runtime: spawn processes and start servers
// on it as on any process.Node.
func (n *Node) Process() *process.Node { return n.proc }

// Name returns the node's name.
func (n *Node) Name() string { return n.cfg.Name }

// ID returns the node's number ([NodeNumber] of its name).
func (n *Node) ID() uint32 { return n.id }

// RouteURL returns the URL other nodes list in [Config.Routes] to join
// through this node ("" for a node on an external server).
func (n *Node) RouteURL() string {
	srv := n.eng.Server()
	if srv == nil {
		return ""
	}
	addr, ok := srv.ClusterAddr(), true
	if addr == nil || !ok {
		return ""
	}
	return "nats-route://" + net.JoinHostPort(addr.IP.String(), strconv.Itoa(addr.Port))
}

// Stop leaves the cluster gracefully: it hands the children of its
// distributed supervisors and the leases of its singletons over to the
// nodes that stay (each instance ended first), tells the other nodes (which
// declare it down at once, with reason [Leaving] rather than after a
// silence), stops routing, then stops the process.Node, which closes
// the engine. Bounded by ctx.
func (n *Node) Stop(ctx context.Context) error {
	if ctx == nil {
		return argerr.Nil("cluster: Node.Stop", "ctx")
	}
	if n.stopped.Swap(true) {
		return nil
	}
	n.leaveMu.Lock()
	leaves := slices.Clone(n.leaves)
	n.leaveMu.Unlock()
	for _, l := range leaves {
		l.f(ctx) // hand distributed children over while still routed
	}
	n.flushAll()
	n.unrecord()
	n.publishBeat(beatLeave)
	_ = n.nc.FlushTimeout(time.Second)
	rt.InstallRemote(n.proc, nil)
	for _, s := range n.subs {
		_ = s.Unsubscribe()
	}
	n.calls.lost(0) // no reply can arrive any more
	return n.proc.Stop(ctx)
}

// leave is one of the hand-overs [Node.Stop] runs first.
type leave struct {
	id uint64
	f  func(context.Context)
}

// onLeave adds f to what [Node.Stop] runs first; remove takes it out
// again (a singleton stopped on its own has nothing left to hand over).
func (n *Node) onLeave(f func(context.Context)) (remove func()) {
	n.leaveMu.Lock()
	n.leaveSeq++
	id := n.leaveSeq
	n.leaves = append(n.leaves, leave{id: id, f: f})
	n.leaveMu.Unlock()
	return func() {
		n.leaveMu.Lock()
		defer n.leaveMu.Unlock()
		n.leaves = slices.DeleteFunc(n.leaves, func(l leave) bool { return l.id == id })
	}
}

// subject is the subject of node id's messages.
func (n *Node) subject(id uint32) string {
	return "orchard." + n.cfg.ClusterName + ".n." + strconv.FormatUint(uint64(id), 10)
}

func (n *Node) beatSubject() string { return "orchard." + n.cfg.ClusterName + ".hb" }

// logger is the node's logger.
func (n *Node) logf(msg string, args ...any) { nodeenv.Logger(n.proc).Warn(msg, args...) }

var errNoResponse = errors.New("cluster: no response")
