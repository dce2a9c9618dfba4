package cluster

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/restartwin"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// ChildrenBucket is the JetStream KV bucket of the distributed
// supervisors: per child, its spec and its owner's lease (node and
// fencing token); per node running a supervisor, its presence and load.
const ChildrenBucket = "orchard_children"

// Placement chooses the node of a new child, or of an orphaned one.
type Placement int

const (
	// ByKeyHash places a child on the live node that its id hashes to
	// (FNV-1a over the sorted candidates): every node computes the same.
	ByKeyHash Placement = iota
	// LeastLoaded places a child on the live node running the fewest of
	// the supervisor's children (ties: the first name).
	LeastLoaded
)

// DistRun is a distributed child's body, run in a process of the node
// that holds its lease, with its argument and its fencing token, which
// it hands to [Node.Fence] or outside systems before it acts. The
// process is killed when the node loses the lease.
type DistRun func(p *process.Proc, arg string, token uint64) error

// DistSpec describes a distributed dynamic supervisor; every node that
// runs it starts it with the same Name and Kinds.
type DistSpec struct {
	// Name names the supervisor cluster-wide (letters, digits, '-', '_').
	Name string
	// Kinds maps a child's kind to what it runs; required, not empty.
	Kinds map[string]DistRun
	// Lease is the duration of a child's lease; zero means
	// [DefaultLease]. It must exceed the node's Config.DownAfter.
	Lease time.Duration
	// Placement places new and orphaned children; default ByKeyHash.
	Placement Placement
	// MaxRestarts and Period are the restart intensity of the
	// supervisor's part on each node, as supervisor.Flags define them
	// (zero: OTP's default of 1 restart in 5 s; supervisor.NoRestarts:
	// none): when the instances running on a node end more than
	// MaxRestarts times within Period, that node's manager kills them
	// all and ends with [ErrMaxRestartIntensity], after an error report
	// in the node's log; the node's services supervisor restarts it
	// (with fresh leases), and gives up in turn if that repeats.
	MaxRestarts int
	Period      time.Duration
}

// DistChild is a child of a distributed supervisor: its id (unique in
// the supervisor; letters, digits, '-', '_'), its kind (a key of
// DistSpec.Kinds) and its argument.
type DistChild struct {
	ID, Kind, Arg string
}

// ChildInfo is where a distributed child runs, as a node last saw it.
type ChildInfo struct {
	ID    string
	Node  string // empty while the child is handed over
	Token uint64
}

// DistSupervisor is this node's part of a distributed dynamic
// supervisor (see [Node.StartDistributed]).
type DistSupervisor struct {
	n    *Node
	spec DistSpec

	mu      sync.Mutex // serialises ticks and the handover; protects the fields below
	kv      jetstream.KeyValue
	running map[string]*distLocal // by child id: the instances here
	seen    map[string]seenRev    // by child id: another owner's last revision
	view    map[string]ChildInfo
	leaving bool
	last    time.Time // the last tick
	lastOK  time.Time // the last tick whose presence JetStream accepted
	// restarts counts the instances' restarts here (the intensity);
	// lastExit is the reason of the last instance that ended.
	restarts restartwin.Window
	lastExit error
}

// distLocal is a child whose lease this node holds.
type distLocal struct {
	rec       childRec
	rev       uint64 // of our last write
	token     uint64
	renewedAt time.Time
	pid       process.PID
}

type seenRev struct {
	rev uint64
	at  time.Time
}

// childRec is a child's KV value.
type childRec struct {
	Kind  string `json:"kind"`
	Arg   string `json:"arg,omitempty"`
	Node  string `json:"node,omitempty"` // the owner; empty: handed over
	ID    uint32 `json:"id,omitempty"`
	Token uint64 `json:"token,omitempty"` // 0 on an acquiring write: the token is its revision
	Prev  string `json:"prev,omitempty"`  // the owner that handed it over
}

// presence is a node's record in a supervisor.
type presence struct {
	Name string `json:"name"`
	Load int    `json:"load"`
}

// keySafe reports whether s can be a KV key token.
func keySafe(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// StartDistributed starts this node's part of the distributed dynamic
// supervisor spec.Name: a manager process that records the node as a
// candidate, runs the children placed here under leases in
// [ChildrenBucket] (renewing them by compare-and-set), and takes over,
// by compare-and-set (one winner per child, a higher fencing token), the
// children of a node declared down, of a lease not renewed for
// spec.Lease, or handed over by a node leaving gracefully, when the
// placement among the live candidates chooses this node. A node that
// could not renew a lease in time, or finds it taken, kills its
// instance. [Node.Stop] hands this node's children over before it
// leaves.
//
// The takeover of a node declared down does not wait for its leases: a
// node declared down while alive (cut off, or frozen shorter than the
// lease) may run its instances until Lease-tick (a tick is Lease/6)
// after their last renewal, alongside their new instances. Starts are
// one per lease, but two instances of a child may briefly act at once:
// an instance must pass its token to [Node.Fence] or an outside system
// that rejects stale tokens before it acts.
func (n *Node) StartDistributed(spec DistSpec) (*DistSupervisor, error) {
	const op = "cluster: Node.StartDistributed"
	switch {
	case !keySafe(spec.Name):
		return nil, argerr.New(op, "spec.Name", "must be letters, digits, '-' or '_', not empty")
	case len(spec.Kinds) == 0:
		return nil, argerr.Empty(op, "spec.Kinds")
	case spec.Lease < 0:
		return nil, argerr.New(op, "spec.Lease", "is negative")
	case spec.Placement != ByKeyHash && spec.Placement != LeastLoaded:
		return nil, argerr.New(op, "spec.Placement", "is not ByKeyHash or LeastLoaded")
	case spec.MaxRestarts < supervisor.NoRestarts:
		return nil, argerr.New(op, "spec.MaxRestarts", "is below supervisor.NoRestarts")
	case spec.Period < 0:
		return nil, argerr.New(op, "spec.Period", "is negative")
	}
	for k, run := range spec.Kinds {
		if run == nil {
			return nil, argerr.Nil(op, "spec.Kinds["+k+"]")
		}
	}
	if spec.Lease == 0 {
		spec.Lease = DefaultLease
	}
	if spec.Lease <= n.cfg.DownAfter {
		return nil, argerr.New(op, "spec.Lease", "must exceed the node's DownAfter")
	}
	d := &DistSupervisor{n: n, spec: spec, running: map[string]*distLocal{}, seen: map[string]seenRev{}, view: map[string]ChildInfo{}}
	if err := n.startService(d.serviceID(), d.manage); err != nil {
		return nil, err
	}
	n.onLeave(d.handOver)
	return d, nil
}

// serviceID is the manager's id under the node's services supervisor
// (and its processes' behaviour).
func (d *DistSupervisor) serviceID() string { return "cluster.distsup." + d.spec.Name }

// intensity returns spec.MaxRestarts and spec.Period with their zero
// values and supervisor.NoRestarts resolved as supervisor.Flags does.
func (d *DistSupervisor) intensity() (int, time.Duration) {
	return intensity(d.spec.MaxRestarts, d.spec.Period)
}

// intensity applies the defaults of a spec's MaxRestarts and Period as
// supervisor.Flags does: zero is OTP's default of 1 restart in 5 s,
// supervisor.NoRestarts none.
func intensity(maxRestarts int, period time.Duration) (int, time.Duration) {
	switch maxRestarts {
	case 0:
		maxRestarts = 1
	case supervisor.NoRestarts:
		maxRestarts = 0
	}
	return maxRestarts, cmp.Or(period, 5*time.Second)
}

func (d *DistSupervisor) childKey(id string) string { return d.spec.Name + ".c." + id }
func (d *DistSupervisor) nodeKey(id uint32) string {
	return d.spec.Name + ".n." + strconv.FormatUint(uint64(id), 10)
}

func (d *DistSupervisor) openKV(ctx context.Context) (jetstream.KeyValue, error) {
	if d.kv != nil {
		return d.kv, nil
	}
	kv, err := d.n.eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: ChildrenBucket, Description: "Orchard distributed children", History: 1,
		Storage: jetstream.FileStorage, Replicas: d.n.replicas(),
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: children bucket: %w", err)
	}
	d.kv = kv
	return kv, nil
}

// StartChild records c and places it on a live node running the
// supervisor (spec.Placement); that node starts it at its next tick. It
// returns the chosen node. An id already recorded is [ErrChildExists].
// While JetStream does not answer (it elects a leader after the loss of
// a node), the write is retried with a growing pause, bounded by ctx.
func (d *DistSupervisor) StartChild(ctx context.Context, c DistChild) (string, error) {
	const op = "cluster: DistSupervisor.StartChild"
	switch {
	case d == nil:
		return "", argerr.Nil(op, "supervisor")
	case ctx == nil:
		return "", argerr.Nil(op, "ctx")
	case !keySafe(c.ID):
		return "", argerr.New(op, "c.ID", "must be letters, digits, '-' or '_', not empty")
	case d.spec.Kinds[c.Kind] == nil:
		return "", argerr.New(op, "c.Kind", "is not a kind of the supervisor: "+c.Kind)
	}
	d.mu.Lock()
	kv, err := d.openKV(ctx)
	d.mu.Unlock()
	if err != nil {
		return "", err
	}
	cands, err := d.candidates(ctx, kv, "")
	if err != nil {
		return "", err
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("cluster: StartChild %q: no live node runs supervisor %q", c.ID, d.spec.Name)
	}
	node := d.place(c.ID, cands)
	b, _ := json.Marshal(childRec{Kind: c.Kind, Arg: c.Arg, Node: node, ID: NodeNumber(node)})
	retried := false
	err = natsengine.Retry(ctx, kvOpTimeout, func(ctx context.Context) error {
		_, err := kv.Create(ctx, d.childKey(c.ID), b)
		if errors.Is(err, jetstream.ErrKeyExists) && retried {
			// An earlier attempt may have created it, its answer lost.
			if e, gerr := kv.Get(ctx, d.childKey(c.ID)); gerr == nil && bytes.Equal(e.Value(), b) {
				return nil
			}
		}
		retried = true
		return err
	})
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return "", fmt.Errorf("%w: %q", ErrChildExists, c.ID)
		}
		return "", fmt.Errorf("cluster: StartChild %q: %w", c.ID, err)
	}
	return node, nil
}

// TerminateChild deletes the child id; its owner kills it at its next
// tick. Like StartChild it retries while JetStream does not answer,
// bounded by ctx.
func (d *DistSupervisor) TerminateChild(ctx context.Context, id string) error {
	const op = "cluster: DistSupervisor.TerminateChild"
	switch {
	case d == nil:
		return argerr.Nil(op, "supervisor")
	case ctx == nil:
		return argerr.Nil(op, "ctx")
	case !keySafe(id):
		return argerr.New(op, "id", "must be letters, digits, '-' or '_', not empty")
	}
	d.mu.Lock()
	kv, err := d.openKV(ctx)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if err := natsengine.Retry(ctx, kvOpTimeout, func(ctx context.Context) error { return kv.Delete(ctx, d.childKey(id)) }); err != nil {
		return fmt.Errorf("cluster: TerminateChild %q: %w", id, err)
	}
	return nil
}

// Node returns the cluster node this part of the supervisor runs on.
func (d *DistSupervisor) Node() *Node { return d.n }

// Children returns the children as this node last saw them, by id.
func (d *DistSupervisor) Children() []ChildInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]ChildInfo, 0, len(d.view))
	for _, c := range d.view {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b ChildInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Running returns the ids of the children running on this node, sorted.
func (d *DistSupervisor) Running() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for id, l := range d.running {
		if !l.pid.IsZero() {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// candidate is a live node running the supervisor, with its load.
type candidate struct {
	name string
	load int
}

// candidates lists the live nodes that recorded their presence in the
// supervisor, except the node named not.
func (d *DistSupervisor) candidates(ctx context.Context, kv jetstream.KeyValue, not string) ([]candidate, error) {
	lister, err := kv.ListKeysFiltered(ctx, d.spec.Name+".n.*")
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("cluster: children bucket: %w", err)
	}
	var out []candidate
	for k := range lister.Keys() {
		e, err := kv.Get(ctx, k)
		if err != nil {
			continue
		}
		var p presence
		if json.Unmarshal(e.Value(), &p) != nil || p.Name == not {
			continue
		}
		if id := NodeNumber(p.Name); id != d.n.id && !d.n.up(id) {
			continue
		}
		out = append(out, candidate{name: p.Name, load: p.Load})
	}
	slices.SortFunc(out, func(a, b candidate) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// place chooses among cands (not empty, sorted by name) for child id.
func (d *DistSupervisor) place(id string, cands []candidate) string {
	if d.spec.Placement == LeastLoaded {
		return slices.MinFunc(cands, func(a, b candidate) int {
			return cmp.Or(cmp.Compare(a.load, b.load), strings.Compare(a.name, b.name))
		}).name
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return cands[int(h.Sum32()%uint32(len(cands)))].name
}

// manage is the manager process, a worker of the node's services
// supervisor: a tick every Lease/6. A manager restarted after a crash
// starts with a fresh restart intensity and takes again, with new
// tokens, the leases that still name this node. It ends with
// [ErrMaxRestartIntensity] when its instances restart too often.
func (d *DistSupervisor) manage(p *process.Proc) error {
	tick := d.spec.Lease / 6
	t := time.NewTicker(tick)
	defer t.Stop()
	defer d.stopAll()
	d.mu.Lock()
	d.restarts.Init(d.intensity())
	d.mu.Unlock()
	for {
		select {
		case <-p.Context().Done():
			return nil
		case <-t.C:
		}
		if err := d.tick(p, tick); err != nil {
			return err
		}
	}
}

// restartLocked restarts child id's instance, which ended while this
// node holds its lease, unless that exceeds the restart intensity: then
// it reports the supervisor's giving up (OTP's supervisor report) and
// returns [ErrMaxRestartIntensity].
func (d *DistSupervisor) restartLocked(p *process.Proc, id string, l *distLocal) error {
	if !d.restarts.Add(time.Now()) {
		max, period := d.intensity()
		nodeenv.Logger(d.n.proc).LogAttrs(context.Background(), slog.LevelError, "supervisor report",
			slog.String("supervisor", d.serviceID()), slog.String("node", d.n.cfg.Name),
			slog.String("errorContext", "shutdown"), slog.String("reason", "reached_max_restart_intensity"),
			slog.Int("maxRestarts", max), slog.Duration("period", period),
			slog.String("offender", id), slog.String("lastExit", process.FormatReason(d.lastExit)))
		return ErrMaxRestartIntensity
	}
	d.startLocked(p, id, l)
	return nil
}

// stopAll kills every instance here (their leases then lapse).
func (d *DistSupervisor) stopAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id := range d.running {
		d.stopLocked(id)
	}
}

func (d *DistSupervisor) stopLocked(id string) {
	if l := d.running[id]; l != nil && !l.pid.IsZero() {
		_ = d.n.proc.Exit(l.pid, process.Kill) // from the node: the manager may be dead already
	}
	delete(d.running, id)
}

// stopStaleLocked kills the instances whose lease was last renewed more
// than Lease-tick before now: the lease may pass to another node.
func (d *DistSupervisor) stopStaleLocked(now time.Time, tick time.Duration) {
	for id, l := range d.running {
		if now.Sub(l.renewedAt) > d.spec.Lease-tick {
			d.stopLocked(id)
		}
	}
}

func (d *DistSupervisor) tick(p *process.Proc, tick time.Duration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.leaving {
		return nil
	}
	now := time.Now()
	frozen := !d.last.IsZero() && now.Sub(d.last) > 2*tick
	unanswered := !d.lastOK.IsZero() && now.Sub(d.lastOK) > 3*tick/2
	d.last = now
	if frozen || unanswered {
		// This node did not run for a while, or JetStream did not
		// answer it (electing a leader, which takes seconds): what it
		// saw of other owners is stale, and they may not have been able
		// to renew either, so their expiry clocks start again. An owner
		// whose lease lapsed meanwhile takes it again at its next tick
		// (its child is placed there), before anyone else may.
		clear(d.seen)
	}
	d.stopStaleLocked(now, tick)
	// The KV calls below end by the time the first lease held here must
	// be given up, and stale instances are stopped again on the way
	// out: a slow or unreachable JetStream cannot keep an instance
	// running past Lease-tick after its last renewal, while another
	// node takes the child over after seeing that renewal unchanged
	// for Lease.
	deadline := now.Add(2 * tick)
	for _, l := range d.running {
		if dl := l.renewedAt.Add(d.spec.Lease - tick); dl.Before(deadline) {
			deadline = dl
		}
	}
	ctx, cancel := context.WithDeadline(p.Context(), deadline)
	defer cancel()
	defer func() { d.stopStaleLocked(time.Now(), tick) }()
	kv, err := d.openKV(ctx)
	if err != nil {
		return nil
	}
	pres, _ := json.Marshal(presence{Name: d.n.cfg.Name, Load: len(d.running)})
	if _, err := kv.Put(ctx, d.nodeKey(d.n.id), pres); err != nil {
		return nil
	}
	d.lastOK = time.Now()
	lister, err := kv.ListKeysFiltered(ctx, d.spec.Name+".c.*")
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil
	}
	listed := map[string]bool{}
	var cands []candidate
	candsFor := map[string][]candidate{}
	if lister != nil {
		for k := range lister.Keys() {
			id := strings.TrimPrefix(k, d.spec.Name+".c.")
			listed[id] = true
			e, err := d.n.leaderGet(ctx, ChildrenBucket, k) // never a lagging replica: this read decides a takeover
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				listed[id] = false
				continue
			}
			if err != nil {
				continue
			}
			var rec childRec
			if json.Unmarshal(e.Value(), &rec) != nil {
				continue
			}
			d.view[id] = ChildInfo{ID: id, Node: rec.Node, Token: cmp.Or(rec.Token, e.Revision())}
			l := d.running[id]
			switch {
			case l != nil && e.Revision() == l.rev:
				rec.Token = l.token
				b, _ := json.Marshal(rec)
				sent := time.Now() // the renewed lease starts no earlier than this
				if rev, err := kv.Update(ctx, k, b, l.rev); err == nil {
					l.rev, l.renewedAt = rev, sent
				} // else: the next tick sees who wrote, or the lease lapses here first
				if l := d.running[id]; l != nil && l.pid.IsZero() {
					// The instance ended while we hold the lease.
					if err := d.restartLocked(p, id, l); err != nil {
						return err
					}
				}
			case l != nil:
				d.stopLocked(id) // another node wrote the lease
			case rec.Node == d.n.cfg.Name:
				d.claim(ctx, p, kv, id, rec, e.Revision()) // placed here
			default:
				if s := d.seen[id]; s.rev != e.Revision() {
					d.seen[id] = seenRev{rev: e.Revision(), at: time.Now()}
				}
				orphan := rec.Node == "" || !d.n.up(rec.ID)
				if !orphan && time.Since(d.seen[id].at) <= d.spec.Lease {
					continue
				}
				not := cmp.Or(rec.Node, rec.Prev)
				if _, ok := candsFor[not]; !ok {
					cands, _ = d.candidates(ctx, kv, not)
					candsFor[not] = cands
				}
				if c := candsFor[not]; len(c) > 0 && d.place(id, c) == d.n.cfg.Name {
					d.claim(ctx, p, kv, id, rec, e.Revision())
				}
			}
		}
	}
	for id := range d.running {
		if !listed[id] {
			d.stopLocked(id) // terminated
		}
	}
	for id := range d.view {
		if !listed[id] {
			delete(d.view, id)
			delete(d.seen, id)
		}
	}
	return nil
}

// claim takes child id's lease at revision rev (one winner) and starts
// it with the new revision as its fencing token.
func (d *DistSupervisor) claim(ctx context.Context, p *process.Proc, kv jetstream.KeyValue, id string, rec childRec, rev uint64) {
	rec.Node, rec.ID, rec.Token, rec.Prev = d.n.cfg.Name, d.n.id, 0, ""
	b, _ := json.Marshal(rec)
	sent := time.Now() // the lease starts no earlier than this
	nrev, err := kv.Update(ctx, d.childKey(id), b, rev)
	if err != nil {
		return
	}
	l := &distLocal{rec: rec, rev: nrev, token: nrev, renewedAt: sent}
	d.running[id] = l
	delete(d.seen, id)
	d.view[id] = ChildInfo{ID: id, Node: d.n.cfg.Name, Token: nrev}
	d.startLocked(p, id, l)
}

// startLocked starts child id's instance as a process of the manager,
// not linked: the manager restarts it while it holds the lease and
// kills it when it loses the lease.
func (d *DistSupervisor) startLocked(p *process.Proc, id string, l *distLocal) {
	run := d.spec.Kinds[l.rec.Kind]
	if run == nil {
		return
	}
	arg, token := l.rec.Arg, l.token
	pid, err := p.Spawn(func(ip *process.Proc) error {
		err := run(ip, arg, token)
		d.mu.Lock()
		if cur := d.running[id]; cur != nil && cur.pid == ip.PID() {
			cur.pid = process.PID{}
			d.lastExit = err
			if err == nil {
				d.lastExit = process.Normal
			}
		}
		d.mu.Unlock()
		return err
	}, rt.Behaviour("cluster.distsup."+d.spec.Name+"."+id))
	if err == nil {
		l.pid = pid
	}
}

// handOver is the graceful leave: it stops this node's manager through
// the services supervisor (which kills every instance here first), then
// hands each child it held over (owner cleared, by compare-and-set on
// our lease) to the nodes that stay, bounded by ctx.
func (d *DistSupervisor) handOver(ctx context.Context) {
	d.mu.Lock()
	if d.leaving {
		d.mu.Unlock()
		return
	}
	d.leaving = true
	held := make(map[string]distLocal, len(d.running))
	for id, l := range d.running {
		held[id] = *l
	}
	kv := d.kv
	d.mu.Unlock()
	if err := d.n.stopService(ctx, d.serviceID()); err != nil {
		d.n.logf("cluster: distributed supervisor stop", "supervisor", d.spec.Name, "error", err)
	}
	d.stopAll() // should the manager not have ended in time
	if kv == nil {
		return
	}
	_ = kv.Delete(ctx, d.nodeKey(d.n.id))
	for id, l := range held {
		rec := l.rec
		rec.Node, rec.ID, rec.Token, rec.Prev = "", 0, 0, d.n.cfg.Name
		b, _ := json.Marshal(rec)
		_ = natsengine.Retry(ctx, kvOpTimeout, func(ctx context.Context) error {
			_, err := kv.Update(ctx, d.childKey(id), b, l.rev)
			return err
		})
	}
}
