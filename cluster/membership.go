package cluster

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Telemetry events of membership changes, emitted on the node's
// telemetry registry with metadata "node" (the local node's name),
// "peer" (the other node's name) and, for a down, "reason".
const (
	// EventNodeUp: a node was seen for the first time, or again after it
	// was declared down.
	EventNodeUp = "orchard.cluster.node.up"
	// EventNodeDown: a node was declared down (silent for
	// Config.DownAfter, or it left).
	EventNodeDown = "orchard.cluster.node.down"
)

// Leaving is the reason of a node that left gracefully ([Node.Stop]);
// a node declared down after a silence has reason [NoConnection].
//
//lint:ignore ST1012 an exit reason, like process.Normal
var Leaving = errors.New("cluster: node left")

// NodeUp is the message a node monitor ([Node.MonitorNodes]) receives
// when a node joins (OTP's {nodeup, Node}).
type NodeUp struct {
	Node string
	ID   uint32
}

// NodeDown is the message a node monitor receives when a node is
// declared down (OTP's {nodedown, Node}); Reason is [NoConnection] or
// [Leaving].
type NodeDown struct {
	Node   string
	ID     uint32
	Reason error
}

// Member is one node as this node sees it.
type Member struct {
	Name string
	ID   uint32
	Up   bool
	// LastSeen is when its last heartbeat arrived (zero for this node).
	LastSeen time.Time
}

// watcher is a node monitor: pid gets NodeUp/NodeDown of node (every
// node when node is 0).
type watcher struct {
	pid  process.PID
	node uint32
	once bool
}

const (
	beatUp    = "up"
	beatLeave = "leave"
)

// heartbeat is the node's heartbeat process: it publishes a heartbeat
// every Config.Heartbeat and declares down the nodes silent for longer
// than Config.DownAfter.
func (n *Node) heartbeat(p *process.Proc) error {
	t := time.NewTicker(n.cfg.Heartbeat)
	defer t.Stop()
	n.publishBeat(beatUp)
	for {
		select {
		case <-p.Context().Done():
			return nil
		case <-t.C:
			n.publishBeat(beatUp)
			n.sweep(time.Now())
		}
	}
}

func (n *Node) publishBeat(state string) {
	_ = n.nc.Publish(n.beatSubject(), []byte(strconv.FormatUint(uint64(n.id), 10)+" "+state+" "+n.cfg.Name))
}

// onBeat records a heartbeat of another node.
func (n *Node) onBeat(m *nats.Msg) {
	f := strings.SplitN(string(m.Data), " ", 3)
	if len(f) != 3 {
		return
	}
	id64, err := strconv.ParseUint(f[0], 10, 32)
	id := uint32(id64)
	if err != nil || id == n.id || n.stopped.Load() {
		return
	}
	var ch change
	n.mu.Lock()
	mb := n.members[id]
	if mb == nil {
		mb = &member{name: f[2]}
		n.members[id] = mb
	}
	switch {
	case f[1] == beatLeave:
		if mb.up {
			mb.up = false
			ch = n.downLocked(id, mb, Leaving)
		}
	case !mb.up:
		mb.name, mb.lastSeen, mb.up = f[2], time.Now(), true
		ch = n.upLocked(id, mb)
	default:
		mb.name, mb.lastSeen = f[2], time.Now()
	}
	n.mu.Unlock()
	n.apply(ch)
}

// seen records that a message came from node id: a node that talks to
// this one is alive, even when its first heartbeat has not arrived yet
// (so the answer to its first request is not refused as noconnection).
func (n *Node) seen(id uint32) {
	if id == n.id || !(*router)(n).Reaches(id) || n.stopped.Load() {
		return
	}
	var ch change
	n.mu.Lock()
	mb := n.members[id]
	switch {
	case mb == nil:
		mb = &member{name: strconv.FormatUint(uint64(id), 10), lastSeen: time.Now(), up: true}
		n.members[id] = mb
		ch = n.upLocked(id, mb)
	case !mb.up:
		mb.lastSeen, mb.up = time.Now(), true
		ch = n.upLocked(id, mb)
	default:
		mb.lastSeen = time.Now()
	}
	n.mu.Unlock()
	n.apply(ch)
}

// change is what a membership change makes happen once n.mu is
// released: messages to node monitors, and for a lost node the exit
// signals and Downs of the links and monitors that crossed to it.
type change struct {
	notes []note
	down  []uint32
}

type note struct {
	to  process.PID
	msg any
}

func (n *Node) apply(ch change) {
	for _, nt := range ch.notes {
		_ = n.proc.Send(nt.to, nt.msg)
	}
	for _, id := range ch.down {
		n.calls.lost(id) // remote calls to it fail with noconnection (calls.go)
		rt.NodeDown(n.proc, id, NoConnection)
	}
}

// routeRedial bounds how long the routes of a node that was frozen take
// to come back: its peers closed their routes to it (a route is pinged
// every Config.DownAfter and closed after two pings unanswered), and
// nats-server dials an explicit route again only after its reconnect
// delay (DEFAULT_ROUTE_RECONNECT, 1 s, plus up to 100 ms), then the
// handshake and the interest in the heartbeats must cross before a
// peer's heartbeat arrives. Until then the peers' silence is this
// node's own.
const routeRedial = 2 * time.Second

// sweep declares down the nodes silent since before now-DownAfter.
func (n *Node) sweep(now time.Time) {
	var all change
	n.mu.Lock()
	if !n.lastSweep.IsZero() && now.Sub(n.lastSweep) > n.cfg.DownAfter {
		// This node did not run for longer than DownAfter (frozen,
		// starved): the silence it sees is its own. Its peers are not
		// declared down before they could be heard again: DownAfter
		// once its routes are back. A peer declared down here while
		// alive would lose its global names (the reaper removes them
		// cluster-wide).
		n.thawedUntil = now.Add(routeRedial + n.cfg.DownAfter)
	}
	n.lastSweep = now
	for id, mb := range n.members {
		if mb.up && now.Sub(mb.lastSeen) > n.cfg.DownAfter && !now.Before(n.thawedUntil) {
			mb.up = false
			ch := n.downLocked(id, mb, NoConnection)
			all.notes = append(all.notes, ch.notes...)
			all.down = append(all.down, ch.down...)
		}
	}
	n.mu.Unlock()
	n.apply(all)
}

func (n *Node) upLocked(id uint32, mb *member) (ch change) {
	nodeenv.Telemetry(n.proc).Execute(EventNodeUp, telemetry.Measurements{"count": 1},
		telemetry.Metadata{"node": n.cfg.Name, "peer": mb.name})
	for _, w := range n.watchers {
		if w.node == 0 {
			ch.notes = append(ch.notes, note{w.pid, NodeUp{Node: mb.name, ID: id}})
		}
	}
	return ch
}

func (n *Node) downLocked(id uint32, mb *member, reason error) (ch change) {
	nodeenv.Telemetry(n.proc).Execute(EventNodeDown, telemetry.Measurements{"count": 1},
		telemetry.Metadata{"node": n.cfg.Name, "peer": mb.name, "reason": reason.Error()})
	for wid, w := range n.watchers {
		if w.node == 0 || w.node == id {
			ch.notes = append(ch.notes, note{w.pid, NodeDown{Node: mb.name, ID: id, Reason: reason}})
			if w.once {
				delete(n.watchers, wid)
			}
		}
	}
	ch.down = []uint32{id}
	return ch
}

// up reports whether node id is a live member.
func (n *Node) up(id uint32) bool {
	n.mu.Lock()
	mb := n.members[id]
	ok := mb != nil && mb.up
	n.mu.Unlock()
	return ok
}

// nameOf returns the name of member id, or its number.
func (n *Node) nameOf(id uint32) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if mb := n.members[id]; mb != nil {
		return mb.name
	}
	return strconv.FormatUint(uint64(id), 10)
}

// Members returns this node and every node it has seen, sorted by name.
func (n *Node) Members() []Member {
	n.mu.Lock()
	out := []Member{{Name: n.cfg.Name, ID: n.id, Up: !n.stopped.Load()}}
	for id, mb := range n.members {
		out = append(out, Member{Name: mb.name, ID: id, Up: mb.up, LastSeen: mb.lastSeen})
	}
	n.mu.Unlock()
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Up returns the names of the live nodes, this one included, sorted.
func (n *Node) Up() []string {
	var out []string
	for _, m := range n.Members() {
		if m.Up {
			out = append(out, m.Name)
		}
	}
	return out
}

// MonitorNodes makes pid receive a [NodeUp] whenever a node joins and a
// [NodeDown] whenever one is declared down (OTP's
// net_kernel:monitor_nodes(true)), until cancel is called.
func (n *Node) MonitorNodes(pid process.PID) (cancel func(), err error) {
	if pid.IsZero() {
		return nil, argerr.New("cluster: Node.MonitorNodes", "pid", "is the zero PID")
	}
	return n.addWatcher(watcher{pid: pid}), nil
}

// MonitorNode makes pid receive one [NodeDown] when the node named node
// is declared down (OTP's monitor_node(Node, true)); at once, with
// reason [NoConnection], when it is not up now. cancel removes the
// monitor.
func (n *Node) MonitorNode(pid process.PID, node string) (cancel func(), err error) {
	if pid.IsZero() {
		return nil, argerr.New("cluster: Node.MonitorNode", "pid", "is the zero PID")
	}
	if node == "" {
		return nil, argerr.Empty("cluster: Node.MonitorNode", "node")
	}
	id := NodeNumber(node)
	n.mu.Lock()
	mb := n.members[id]
	if mb == nil || !mb.up {
		n.mu.Unlock()
		_ = n.proc.Send(pid, NodeDown{Node: node, ID: id, Reason: NoConnection})
		return func() {}, nil
	}
	cancel = n.addWatcherLocked(watcher{pid: pid, node: id, once: true})
	n.mu.Unlock()
	return cancel, nil
}

func (n *Node) addWatcher(w watcher) func() {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.addWatcherLocked(w)
}

func (n *Node) addWatcherLocked(w watcher) func() {
	n.nextW++
	id := n.nextW
	n.watchers[id] = &w
	return func() {
		n.mu.Lock()
		delete(n.watchers, id)
		n.mu.Unlock()
	}
}
