package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
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

// Buckets of singleton leases and of fences.
const (
	// LeasesBucket holds one lease per singleton: its holder node and
	// fencing token; renewing it is a compare-and-set on its revision.
	LeasesBucket = "orchard_leases"
	// FencesBucket holds, per resource, the highest fencing token that
	// [Node.Fence] accepted.
	FencesBucket = "orchard_fences"
	// DefaultLease is a singleton lease's duration when its spec gives
	// none: a holder that cannot renew for that long steps down, and a
	// lease not renewed for that long may be taken over.
	DefaultLease = 3 * time.Second
)

// ErrStaleToken is returned by [Node.Fence] for a token lower than one it
// accepted before for the resource: its holder lost the lease.
var ErrStaleToken = errors.New("cluster: stale fencing token")

// SingletonSpec describes a process that runs at most once in the
// cluster, on a node holding its lease.
type SingletonSpec struct {
	// Name names the singleton (the lease's key); required.
	Name string
	// Run is the instance's body, run in a process of the holding node
	// with the lease's fencing token, which the instance hands to
	// [Node.Fence] or outside systems before it acts. Its process is
	// killed when the node loses the lease; it is started again (with
	// the same token) at the manager's next tick if it ends while the
	// node holds the lease, within the restart intensity.
	Run func(p *process.Proc, token uint64) error
	// Lease is the lease's duration; zero means [DefaultLease]. It must
	// exceed the node's Config.DownAfter.
	Lease time.Duration
	// MaxRestarts and Period are the restart intensity of the instance
	// on the holding node, as supervisor.Flags and DistSpec define them
	// (zero: OTP's default of 1 restart in 5 s; supervisor.NoRestarts:
	// none). When the instance ends (for any reason, as a permanent
	// child) more than MaxRestarts times within Period, the node's
	// manager reports reached_max_restart_intensity in the node's log
	// and ends with [ErrMaxRestartIntensity], as a distributed
	// supervisor's manager does: OTP's escalation up the tree. The node
	// does not release the lease: the node's services supervisor
	// restarts the manager, which takes the lease that still names its
	// node again (a new token), as a supervisor restarts a child
	// supervisor that gave up in place; when that repeats, the services
	// supervisor gives up in turn, the node stops renewing, and the
	// lease lapses and passes to another node, as a distributed
	// application moves when its node's application ends.
	MaxRestarts int
	Period      time.Duration
}

// Singleton is this node's part in running a singleton: a manager
// process that competes for the lease, renews it while it holds it, and
// starts or kills the instance accordingly.
type Singleton struct {
	n          *Node
	spec       SingletonSpec
	handedOver atomic.Bool // Stop or the node's leave ran
	unleave    func()      // takes handOver out of the node's leave

	mu       sync.Mutex // protects the fields below
	holder   string
	token    uint64
	mine     process.PID // the instance here, zero when not held here
	lastExit error       // the reason of the last instance that ended here
}

// lease is a lease's value.
type lease struct {
	Node  string `json:"node"`
	ID    uint32 `json:"id"`
	Token uint64 `json:"token"` // 0 on the acquiring write: the token is that write's revision
}

// StartSingleton makes n compete for the singleton spec.Name: on every
// node that starts it, a manager tries to take the lease in
// [LeasesBucket]; the node that holds it runs the instance. When the
// holder's node is declared down or its lease is not renewed for
// spec.Lease, another node takes the lease over with a compare-and-set
// (one winner) and a higher fencing token; a holder that could not renew
// (frozen, cut off) kills its instance before its lease lapses, and one
// that finds the lease taken steps down. A holder declared down is not
// waited for: if it is in fact alive but cut off, its instance runs
// until Lease minus a renewal tick after its last renewal while the new
// one already runs, so an instance acts only through its fencing token
// ([Node.Fence]).
func (n *Node) StartSingleton(spec SingletonSpec) (*Singleton, error) {
	const op = "cluster: Node.StartSingleton"
	switch {
	case spec.Name == "":
		return nil, argerr.Empty(op, "spec.Name")
	case spec.Run == nil:
		return nil, argerr.Nil(op, "spec.Run")
	case spec.Lease < 0:
		return nil, argerr.New(op, "spec.Lease", "is negative")
	case spec.MaxRestarts < supervisor.NoRestarts:
		return nil, argerr.New(op, "spec.MaxRestarts", "is below supervisor.NoRestarts")
	case spec.Period < 0:
		return nil, argerr.New(op, "spec.Period", "is negative")
	}
	if spec.Lease == 0 {
		spec.Lease = DefaultLease
	}
	if spec.Lease <= n.cfg.DownAfter {
		return nil, argerr.New(op, "spec.Lease", "must exceed the node's DownAfter")
	}
	s := &Singleton{n: n, spec: spec}
	if err := n.startService(s.serviceID(), s.manage); err != nil {
		return nil, err
	}
	s.unleave = n.onLeave(s.handOver)
	return s, nil
}

// serviceID is the manager's id under the node's services supervisor.
func (s *Singleton) serviceID() string { return "cluster.singleton.manager." + s.spec.Name }

// Holder returns the lease's holder and token as this node last saw them.
func (s *Singleton) Holder() (node string, token uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holder, s.token, s.holder != ""
}

// Stop stops this node's part in the singleton and hands the lease
// over: it stops the manager, waits for the instance running here to
// end, then releases the lease if it names this node, so a node that
// stays takes it over at its next renewal tick (a sixth of the lease)
// instead of after the lease lapses, and never before the instance's
// process here has ended (a Run that ignores its process's context may
// still be returning). [Node.Stop] does the same for every singleton of
// the node. Bounded by serviceCallTimeout.
func (s *Singleton) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), serviceCallTimeout)
	defer cancel()
	s.handOver(ctx)
	s.unleave() // the node's leave has nothing left to do for it
}

// handOver is [Singleton.Stop] bounded by ctx. Only its first call
// acts: a later one (Node.Stop after Stop) must not stop the manager of
// a newer singleton of the same name on this node.
func (s *Singleton) handOver(ctx context.Context) {
	if s.handedOver.Swap(true) {
		return
	}
	s.mu.Lock()
	inst := s.mine
	s.mu.Unlock()
	if err := s.n.stopService(ctx, s.serviceID()); err != nil && !errors.Is(err, supervisor.ErrNotFound) {
		s.n.logf("cluster: singleton stop", "singleton", s.spec.Name, "error", err)
	}
	if !inst.IsZero() {
		// The manager killed it on its way out; the lease passes only
		// once it has ended.
		if t, err := rt.LookupOn(s.n.proc, inst); err == nil { // else it has ended
			select {
			case <-t.Done():
			case <-ctx.Done():
				return // it may still run: let the lease lapse instead
			}
		}
	}
	e, err := s.n.leaderGet(ctx, LeasesBucket, s.spec.Name)
	if err != nil {
		return // none, or JetStream unavailable: the lease lapses
	}
	var l lease
	if json.Unmarshal(e.Value(), &l) != nil || l.ID != s.n.id {
		return
	}
	kv, err := s.leasesKV(ctx)
	if err != nil {
		return
	}
	// Conditional on the revision read: a lease another node took
	// meanwhile is not touched.
	_ = kv.Delete(ctx, s.spec.Name, jetstream.LastRevision(e.Revision()))
}

// Token returns the fencing token of the instance running here, 0 when
// this node does not hold the lease.
func (s *Singleton) Token() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mine.IsZero() || s.holder != s.n.cfg.Name {
		return 0
	}
	return s.token
}

func (s *Singleton) leasesKV(ctx context.Context) (jetstream.KeyValue, error) {
	return s.n.eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: LeasesBucket, Description: "Orchard singleton leases", History: 1,
		Storage: jetstream.FileStorage, Replicas: s.n.replicas(),
	})
}

// manage is the manager process, a worker of the node's services
// supervisor (restarted if it crashes; it then takes the lease again at
// once if the lease still names this node). It starts with a fresh
// restart intensity and ends with [ErrMaxRestartIntensity] when the
// instance restarts too often.
func (s *Singleton) manage(p *process.Proc) error {
	tick := s.spec.Lease / 6
	t := time.NewTicker(tick)
	defer t.Stop()
	var (
		restarts  restartwin.Window
		kv        jetstream.KeyValue
		myRev     uint64 // revision of our last write while holding
		token     uint64
		renewedAt time.Time
		seenRev   uint64
		seenAt    time.Time
	)
	stepDown := func() {
		s.mu.Lock()
		inst := s.mine
		s.mine = process.PID{}
		s.mu.Unlock()
		if !inst.IsZero() {
			_ = s.n.proc.Exit(inst, process.Kill) // from the node: p may be dead already
		}
		myRev = 0
	}
	defer stepDown()
	acquire := func(rev uint64, sent time.Time) {
		myRev, token, renewedAt = rev, rev, sent
		s.setHolder(s.n.cfg.Name, token)
		s.startInstance(p, token)
	}
	me := func(tok uint64) []byte {
		b, _ := json.Marshal(lease{Node: s.n.cfg.Name, ID: s.n.id, Token: tok})
		return b
	}
	restarts.Init(intensity(s.spec.MaxRestarts, s.spec.Period))
	lastTick, lastOK := time.Now(), time.Now()
	for {
		select {
		case <-p.Context().Done():
			return nil
		case <-t.C:
		}
		if time.Since(lastTick) > 2*tick || time.Since(lastOK) > 3*tick/2 {
			// This node did not run for a while (frozen), or JetStream
			// did not answer it (electing a leader, which takes
			// seconds): what it saw of the lease is stale, and the
			// holder may not have been able to renew either, so the
			// expiry clock starts again.
			seenAt = time.Now()
		}
		lastTick = time.Now()
		if myRev != 0 && time.Since(renewedAt) > s.spec.Lease-tick {
			stepDown() // could not renew in time: the lease may pass
		}
		ctx, cancel := context.WithTimeout(p.Context(), tick)
		if kv == nil {
			kv, _ = s.leasesKV(ctx)
		}
		if kv == nil {
			cancel()
			continue
		}
		e, err := s.n.leaderGet(ctx, LeasesBucket, s.spec.Name) // a lagging replica would show an older lease than our renewal
		if err == nil || errors.Is(err, jetstream.ErrKeyNotFound) {
			lastOK = time.Now()
		}
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			if myRev != 0 {
				// The lease held here was deleted (released by a Stop
				// whose manager outlived it, or from outside): the
				// instance ends before a new one starts under a new
				// token, or it would run on, untracked, beside it.
				stepDown()
			}
			sent := time.Now() // the lease starts no earlier than this
			if rev, err := kv.Create(ctx, s.spec.Name, me(0)); err == nil {
				acquire(rev, sent)
			}
		case err != nil:
		case myRev != 0 && e.Revision() == myRev:
			sent := time.Now() // the renewed lease starts no earlier than this
			if rev, err := kv.Update(ctx, s.spec.Name, me(token), myRev); err == nil {
				myRev, renewedAt = rev, sent
			} else if natsengine.CASConflict(err) {
				stepDown() // someone else wrote the lease
			} // else JetStream did not answer: try again next tick; the lease lapses here first
		default:
			if myRev != 0 {
				stepDown() // someone else wrote the lease
			}
			var l lease
			_ = json.Unmarshal(e.Value(), &l)
			tok := l.Token
			if tok == 0 {
				tok = e.Revision()
			}
			s.setHolder(l.Node, tok)
			if e.Revision() != seenRev {
				seenRev, seenAt = e.Revision(), time.Now()
			}
			// The lease names this node, which does not hold it (it
			// could not renew in time, or its manager restarted): no
			// other node took it, so take it again at once, with a new
			// token, rather than let it lapse.
			mine := l.ID == s.n.id && myRev == 0
			holderDown := l.ID != s.n.id && !s.n.up(l.ID)
			if mine || holderDown || time.Since(seenAt) > s.spec.Lease {
				sent := time.Now()
				if rev, err := kv.Update(ctx, s.spec.Name, me(0), e.Revision()); err == nil {
					acquire(rev, sent)
				}
			}
		}
		cancel()
		s.mu.Lock()
		dead := myRev != 0 && s.mine.IsZero()
		s.mu.Unlock()
		if dead { // the instance ended while we hold the lease
			if !restarts.Add(time.Now()) {
				s.reportIntensity()
				return ErrMaxRestartIntensity // the deferred stepDown clears the holding
			}
			s.startInstance(p, token)
		}
	}
}

func (s *Singleton) setHolder(node string, token uint64) {
	s.mu.Lock()
	s.holder, s.token = node, token
	s.mu.Unlock()
}

// startInstance starts the instance as a child of the manager, not
// linked: an instance that ends is started again by the manager's next
// tick while the node holds the lease, and the manager kills it when the
// lease is lost or the manager ends.
func (s *Singleton) startInstance(p *process.Proc, token uint64) {
	s.mu.Lock() // an instance that ends at once is recorded after it was set
	inst, err := p.Spawn(func(ip *process.Proc) error { return s.spec.Run(ip, token) },
		rt.Behaviour("cluster.singleton."+s.spec.Name))
	if err == nil {
		s.mine = inst
	}
	s.mu.Unlock()
	if err != nil {
		return
	}
	// The hook sees every end, a panic or a kill included; an instance
	// that ended before it was installed is recorded here.
	if _, err := rt.OnExit(s.n.proc, inst, s.ended); err != nil {
		var np *process.NoProcError
		reason := error(process.NoProc)
		if errors.As(err, &np) && np.Reason != nil {
			reason = np.Reason
		}
		s.ended(inst, reason)
	}
}

// ended records the end of instance pid with its exit reason: the
// manager's next tick starts it again while the node holds the lease.
// It runs as an exit hook, on the goroutine that ends the instance,
// which never holds s.mu.
func (s *Singleton) ended(pid process.PID, reason error) {
	s.mu.Lock()
	if s.mine == pid {
		s.mine = process.PID{}
		s.lastExit = reason
	}
	s.mu.Unlock()
}

// reportIntensity reports the manager's giving up as a distributed
// supervisor's does (OTP's supervisor report).
func (s *Singleton) reportIntensity() {
	max, period := intensity(s.spec.MaxRestarts, s.spec.Period)
	s.mu.Lock()
	last := s.lastExit
	s.mu.Unlock()
	nodeenv.Logger(s.n.proc).LogAttrs(context.Background(), slog.LevelError, "supervisor report",
		slog.String("supervisor", s.serviceID()), slog.String("node", s.n.cfg.Name),
		slog.String("errorContext", "shutdown"), slog.String("reason", "reached_max_restart_intensity"),
		slog.Int("maxRestarts", max), slog.Duration("period", period),
		slog.String("offender", s.spec.Name), slog.String("lastExit", process.FormatReason(last)))
}

// Fence accepts token for resource unless a higher token was accepted
// before ([ErrStaleToken]): what an outside system does with the token a
// singleton or a global name hands it, kept in [FencesBucket]. Every
// node sees the same order: acceptance is a compare-and-set, even of a
// token equal to the highest (a read may come from a replica that is
// behind). While JetStream does not answer (it elects a leader after
// the loss of a node) Fence retries with a growing pause, bounded by
// ctx.
func (n *Node) Fence(ctx context.Context, resource string, token uint64) error {
	const op = "cluster: Node.Fence"
	switch {
	case ctx == nil:
		return argerr.Nil(op, "ctx")
	case resource == "":
		return argerr.Empty(op, "resource")
	case token == 0:
		return argerr.New(op, "token", "is zero")
	}
	kv, err := n.fencesKV(ctx)
	if err != nil {
		return err
	}
	val := []byte(strconv.FormatUint(token, 10))
	pause := natsengine.RetryFirst
	lost := false // a compare-and-set lost: read from the leader from now on
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			// A write that lost (a replica behind, a concurrent fence)
			// or that JetStream did not answer (electing a leader):
			// read again after a pause that grows, bounded by ctx.
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("cluster: fence %q: %w", resource, ctx.Err())
			case <-t.C:
			}
			pause = min(2*pause, natsengine.RetryMax)
		}
		var value []byte
		var rev uint64
		var e jetstream.KeyValueEntry
		if lost {
			e, err = n.leaderGet(ctx, FencesBucket, resource)
		} else {
			e, err = kv.Get(ctx, resource)
		}
		if err == nil {
			value, rev = e.Value(), e.Revision()
		}
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			if _, err := kv.Create(ctx, resource, val); err == nil {
				return nil
			} else if !errors.Is(err, jetstream.ErrKeyExists) && !natsengine.Transient(err) {
				return fmt.Errorf("cluster: fence %q: %w", resource, err)
			}
			lost = true
			continue
		}
		if err != nil && (!natsengine.Transient(err) || ctx.Err() != nil) {
			return fmt.Errorf("cluster: fence %q: %w", resource, err)
		}
		if err != nil {
			continue
		}
		high, _ := strconv.ParseUint(string(value), 10, 64)
		if token < high {
			return fmt.Errorf("%w: %d < %d for %q", ErrStaleToken, token, high, resource)
		}
		// Even for a token equal to the one read, write (compare-and-set
		// on the revision read): a read may be served by a replica that
		// is behind (JetStream's direct get), for instance on a node
		// that was frozen or cut off, and only the leader's acceptance
		// of the write proves that no higher token was accepted since.
		_, err = kv.Update(ctx, resource, val, rev)
		if err == nil {
			return nil
		}
		if !natsengine.CASConflict(err) && !natsengine.Transient(err) {
			// JetStream answered no for another reason (the connection
			// closed, the bucket gone): retrying would only hide it
			// behind ctx's error.
			return fmt.Errorf("cluster: fence %q: %w", resource, err)
		}
		lost = lost || natsengine.CASConflict(err)
	}
}

// fencesKV returns the fences bucket, opened once per node (opening is
// a request to JetStream's meta leader, which may be away for seconds
// after a node is lost; using the bucket is not).
func (n *Node) fencesKV(ctx context.Context) (jetstream.KeyValue, error) {
	n.fenceMu.Lock()
	defer n.fenceMu.Unlock()
	if n.fences != nil {
		return n.fences, nil
	}
	kv, err := n.eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: FencesBucket, Description: "Orchard fences", History: 1,
		Storage: jetstream.FileStorage, Replicas: n.replicas(),
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: fences bucket: %w", err)
	}
	n.fences = kv
	return kv, nil
}
