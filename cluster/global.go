package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// RegistryBucket is the JetStream KV bucket of the global registry: one
// key per name, whose value is the holder's PID and whose revision is the
// registration's fencing token.
const RegistryBucket = "orchard_registry"

// DefaultRegisterTimeout bounds a registration made through
// [GlobalName.RegisterName] (genserver.WithVia), which takes no context.
const DefaultRegisterTimeout = 5 * time.Second

// entry is a global name's holder as this node's cache knows it.
type entry struct {
	pid   process.PID
	token uint64
}

// global is a node's view of the global registry: the cache kept by the
// KV watch, and the registrations of local processes.
type global struct {
	mu     sync.RWMutex
	names  map[string]entry
	kv     jetstream.KeyValue // nil until the bucket is open
	reaper process.PID
	// hooks are the exit hooks of this node's registrations, by name:
	// UnregisterGlobal cancels its registration's, which would
	// otherwise stay on a process that lives on, one per registration.
	hooks map[string]localReg
}

// localReg is the exit hook of a registration of a local process; hook
// is nil until installed.
type localReg struct {
	token uint64
	hook  rt.ExitHook
}

// wireEntry is a registry value in the bucket.
type wireEntry struct {
	Node uint32 `json:"n"`
	ID   uint64 `json:"i"`
}

// GlobalName is a name in the cluster-wide registry of a node's cluster,
// a process.Dest that resolves from the node's local cache (kept by a KV
// watch) and a genserver.Registrar: genserver.WithVia(cluster.Global(n,
// "name")) registers the server globally before its Init runs.
type GlobalName struct {
	n    *Node
	name string
}

// Global returns the global name name as seen from node n.
func Global(n *Node, name string) GlobalName { return GlobalName{n: n, name: name} }

// String returns the name.
func (g GlobalName) String() string { return g.name }

// Resolve returns the name's holder from the local cache: a
// *process.NoProcError when no process holds it.
func (g GlobalName) Resolve() (process.PID, error) {
	if g.n == nil {
		return process.PID{}, argerr.Nil("cluster: GlobalName.Resolve", "node")
	}
	if g.name == "" {
		return process.PID{}, argerr.Empty("cluster: GlobalName.Resolve", "name")
	}
	pid, _, ok := g.n.WhereIsGlobal(g.name)
	if !ok {
		return process.PID{}, &process.NoProcError{Name: g.name, Reason: process.NoProc}
	}
	return pid, nil
}

// RegisterName registers pid (a process of this node) under the name,
// bounded by [DefaultRegisterTimeout]; see [Node.RegisterGlobal].
func (g GlobalName) RegisterName(pid process.PID) error {
	if g.n == nil {
		return argerr.Nil("cluster: GlobalName.RegisterName", "node")
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultRegisterTimeout)
	defer cancel()
	_, err := g.n.RegisterGlobal(ctx, g.name, pid)
	return err
}

// Token returns the fencing token of the name's current registration as
// this node knows it (0 when unregistered).
func (g GlobalName) Token() uint64 {
	if g.n == nil {
		return 0
	}
	_, t, _ := g.n.WhereIsGlobal(g.name)
	return t
}

// RegisterGlobal registers pid, a live process of this node, under name
// in the cluster-wide registry (OTP's global:register_name/2): a
// JetStream KV create, so that of concurrent registrations on any nodes
// exactly one wins. It returns the registration's fencing token (the KV
// revision; a later registration of the name has a higher one), which
// the holder may hand to outside systems to reject stale writers. The
// name is removed when pid dies, or when its node is declared down. A
// taken name is an error matching process.ErrNameTaken; a dead pid is a
// *process.NoProcError. When ctx ends while the create is in flight, the
// call fails and the registry's cleanup process removes the name if the
// create went through after all (unless an earlier registration of this
// node holds it).
func (n *Node) RegisterGlobal(ctx context.Context, name string, pid process.PID) (uint64, error) {
	const op = "cluster: Node.RegisterGlobal"
	switch {
	case ctx == nil:
		return 0, argerr.Nil(op, "ctx")
	case name == "":
		return 0, argerr.Empty(op, "name")
	case pid.IsZero():
		return 0, argerr.New(op, "pid", "is the zero PID")
	case pid.Node() != n.id:
		return 0, argerr.New(op, "pid", "is not a process of this node")
	}
	val, _ := json.Marshal(wireEntry{Node: pid.Node(), ID: pid.ID()})
	rev, err := n.createGlobal(ctx, name, val)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, process.ErrNameTaken) {
			// A create whose answer ctx cut off may have succeeded; the
			// caller hears it failed and would never unregister it.
			_ = n.proc.Send(n.glob.reaper, lostCreate{name: name, val: val})
		}
		return 0, err
	}
	n.cacheSet(name, entry{pid: pid, token: rev})
	// Recorded before the hook is installed, so that a hook run at once
	// (pid dying meanwhile) finds the record and removes it.
	n.glob.mu.Lock()
	n.glob.hooks[name] = localReg{token: rev}
	n.glob.mu.Unlock()
	hook, err := rt.OnExit(n.proc, pid, func(process.PID, error) {
		n.takeHook(name, rev)
		_ = n.proc.Send(n.glob.reaper, unregister{name: name, token: rev})
	})
	if err != nil {
		n.takeHook(name, rev)
		n.deleteGlobal(nil, name, rev, 0)
		return 0, err
	}
	n.glob.mu.Lock()
	if r, ok := n.glob.hooks[name]; ok && r.token == rev {
		r.hook = hook
		n.glob.hooks[name] = r
	}
	n.glob.mu.Unlock()
	return rev, nil
}

// takeHook removes and returns the exit hook of registration
// name@token of a local process (nil when there is none, or it is not
// installed yet).
func (n *Node) takeHook(name string, token uint64) rt.ExitHook {
	n.glob.mu.Lock()
	defer n.glob.mu.Unlock()
	r, ok := n.glob.hooks[name]
	if !ok || r.token != token {
		return nil
	}
	delete(n.glob.hooks, name)
	return r.hook
}

// createGlobal creates name with val, retrying attempts bounded by
// kvOpTimeout, after a pause that grows from natsengine.RetryFirst to
// natsengine.RetryMax, until ctx ends: JetStream drops requests while
// it elects a leader (and a request nobody answers fails at once). A
// create that succeeded although its answer was lost is recognised by
// its value.
func (n *Node) createGlobal(ctx context.Context, name string, val []byte) (uint64, error) {
	retried := false
	pause := natsengine.RetryFirst
	for {
		if retried {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return 0, fmt.Errorf("cluster: register %q: %w", name, ctx.Err())
			case <-t.C:
			}
			pause = min(2*pause, natsengine.RetryMax)
		}
		actx, cancel := context.WithTimeout(ctx, kvOpTimeout)
		kv, err := n.registryKV(actx)
		var rev uint64
		if err == nil {
			rev, err = kv.Create(actx, name, val)
			if errors.Is(err, jetstream.ErrKeyExists) && retried {
				if held, ok := n.holding(actx, name, val); ok {
					rev, err = held, nil
				}
			}
		}
		cancel()
		switch {
		case err == nil:
			return rev, nil
		case errors.Is(err, jetstream.ErrKeyExists):
			return 0, fmt.Errorf("cluster: global name %q: %w", name, process.ErrNameTaken)
		case ctx.Err() != nil:
			return 0, fmt.Errorf("cluster: register %q: %w", name, err)
		}
		retried = true
		n.glob.mu.Lock()
		n.glob.kv = nil // open the bucket afresh
		n.glob.mu.Unlock()
	}
}

// leaderGet reads key in bucket from the bucket stream's leader
// (natsengine.LeaderGet): a KV Get may be answered by a replica that
// lags behind an acknowledged write, and a read that decides ownership
// or accepts a fencing token must not act on it.
func (n *Node) leaderGet(ctx context.Context, bucket, key string) (jetstream.KeyValueEntry, error) {
	return natsengine.LeaderGet(ctx, n.eng.JetStream(), bucket, key)
}

// UnregisterGlobal removes the registration of name whose fencing token
// is token (OTP's global:unregister_name/1, fenced): with a stale token
// it removes nothing and fails.
func (n *Node) UnregisterGlobal(ctx context.Context, name string, token uint64) error {
	if ctx == nil {
		return argerr.Nil("cluster: Node.UnregisterGlobal", "ctx")
	}
	kv, err := n.registryKV(ctx)
	if err != nil {
		return err
	}
	if err := kv.Delete(ctx, name, jetstream.LastRevision(token)); err != nil {
		return fmt.Errorf("cluster: unregister %q: %w", name, err)
	}
	n.cacheDel(name, token)
	if h := n.takeHook(name, token); h != nil {
		h.Cancel()
	}
	return nil
}

// WhereIsGlobal returns the holder of name and its fencing token from
// this node's cache (OTP's global:whereis_name/1); the cache follows the
// bucket through a KV watch.
func (n *Node) WhereIsGlobal(name string) (process.PID, uint64, bool) {
	n.glob.mu.RLock()
	e, ok := n.glob.names[name]
	n.glob.mu.RUnlock()
	return e.pid, e.token, ok
}

// GlobalNames returns the registered names this node knows of.
func (n *Node) GlobalNames() map[string]process.PID {
	n.glob.mu.RLock()
	defer n.glob.mu.RUnlock()
	out := make(map[string]process.PID, len(n.glob.names))
	for k, e := range n.glob.names {
		out[k] = e.pid
	}
	return out
}

func (n *Node) cacheSet(name string, e entry) {
	n.glob.mu.Lock()
	if old, ok := n.glob.names[name]; !ok || old.token <= e.token {
		n.glob.names[name] = e
	}
	n.glob.mu.Unlock()
}

func (n *Node) cacheDel(name string, token uint64) {
	n.glob.mu.Lock()
	if old, ok := n.glob.names[name]; ok && old.token <= token {
		delete(n.glob.names, name)
	}
	n.glob.mu.Unlock()
}

// registryKV returns the registry bucket, opening it on first use.
func (n *Node) registryKV(ctx context.Context) (jetstream.KeyValue, error) {
	n.glob.mu.RLock()
	kv := n.glob.kv
	n.glob.mu.RUnlock()
	if kv != nil {
		return kv, nil
	}
	kv, err := n.eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: RegistryBucket, Description: "Orchard global registry", History: 1,
		Storage: jetstream.FileStorage, Replicas: n.replicas(),
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: registry bucket: %w", err)
	}
	n.glob.mu.Lock()
	if n.glob.kv == nil {
		n.glob.kv = kv
	}
	kv = n.glob.kv
	n.glob.mu.Unlock()
	return kv, nil
}

// deleteGlobal removes the registration name@token (a newer one
// stays), retrying attempts bounded by kvOpTimeout for up to
// deleteRetryFor while JetStream does not answer (it may be electing a
// leader after the loss of a node, and a request nobody answers fails at
// once), after a pause that grows from natsengine.RetryFirst to
// natsengine.RetryMax; it gives up early when stop closes (nil: never).
// The cache drops the name once the
// bucket did. lost is the node whose loss the removal follows, 0 for a
// holder that died: that removal is given up once the node is up again
// (this node was the one cut off or frozen, and its deletes would
// otherwise go through when it reaches JetStream again, removing the
// names of live processes).
func (n *Node) deleteGlobal(stop <-chan struct{}, name string, token uint64, lost uint32) {
	deadline := time.Now().Add(deleteRetryFor)
	pause := natsengine.RetryFirst
	for attempt := 0; time.Now().Before(deadline) && !n.stopped.Load(); attempt++ {
		if attempt > 0 {
			t := time.NewTimer(min(pause, time.Until(deadline)))
			select {
			case <-stop:
				t.Stop()
				return
			case <-t.C:
			}
			pause = min(2*pause, natsengine.RetryMax)
		}
		if lost != 0 && n.up(lost) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), kvOpTimeout)
		kv, err := n.registryKV(ctx)
		if err == nil {
			err = kv.Delete(ctx, name, jetstream.LastRevision(token))
		}
		cancel()
		var apiErr *jetstream.APIError
		if err == nil || (errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence) {
			n.cacheDel(name, token) // deleted, or replaced by a newer registration
			return
		}
		n.glob.mu.Lock()
		n.glob.kv = nil
		n.glob.mu.Unlock()
	}
}

// deleteRetryFor bounds the retries of one registry delete.
const deleteRetryFor = 30 * time.Second

// unregister asks the reaper to remove a dead holder's registration.
type unregister struct {
	name  string
	token uint64
}

// lostCreate asks the reaper to remove name if it holds val: a
// registration whose create may have succeeded after its caller's ctx
// ended (the caller was told it failed).
type lostCreate struct {
	name string
	val  []byte
}

// dropLostCreate removes name if the registry holds val under it and no
// registration of this node records it (an earlier RegisterGlobal of the
// same process for the same name, which holds the same value, is kept).
// The delete is conditional on the revision read, so a newer
// registration is never removed.
func (n *Node) dropLostCreate(stop <-chan struct{}, m lostCreate) {
	n.glob.mu.RLock()
	_, recorded := n.glob.hooks[m.name]
	n.glob.mu.RUnlock()
	if recorded {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), kvOpTimeout)
	rev, ok := n.holding(ctx, m.name, m.val)
	cancel()
	if !ok {
		return // not there (the create failed), or another's
	}
	n.deleteGlobal(stop, m.name, rev, 0)
}

// holding reports whether the registry's leader holds val under name,
// and at which revision.
func (n *Node) holding(ctx context.Context, name string, val []byte) (uint64, bool) {
	e, err := n.leaderGet(ctx, RegistryBucket, name)
	if err != nil || string(e.Value()) != string(val) {
		return 0, false
	}
	return e.Revision(), true
}

// reaper is the registry's cleanup process: it removes the
// registrations of local processes that died and those whose create
// may have succeeded after its caller gave up, and, when a node is
// declared down, those held by that node's processes (every node tries;
// the conditional delete lets one succeed).
func (n *Node) reaperLoop(p *process.Proc) error {
	cancel, err := n.MonitorNodes(p.PID())
	if err != nil {
		return err
	}
	defer cancel()
	for {
		m, err := p.Receive(p.Context())
		if err != nil {
			return nil
		}
		switch m := m.(type) {
		case unregister:
			n.deleteGlobal(p.Context().Done(), m.name, m.token, 0)
		case lostCreate:
			n.dropLostCreate(p.Context().Done(), m)
		case NodeDown:
			n.glob.mu.RLock()
			var lost []unregister
			for name, e := range n.glob.names {
				if e.pid.Node() == m.ID {
					lost = append(lost, unregister{name: name, token: e.token})
				}
			}
			n.glob.mu.RUnlock()
			for _, u := range lost {
				n.deleteGlobal(p.Context().Done(), u.name, u.token, m.ID)
			}
		}
	}
}

// watchLoop keeps the cache equal to the bucket through a KV watch. It
// opens the bucket and the watch again, after a pause that grows from
// natsengine.RetryFirst to natsengine.RetryMax, whenever either fails
// or the watch ends: creating the watch's consumer times out while
// JetStream elects a leader (after the loss or freeze of a node), and a
// node whose watch ended would never learn of a registration again.
// Watching again replays the last value of every key, deletions
// included, and the cache keeps the highest token per name, so nothing
// missed meanwhile stays wrong.
func (n *Node) watchLoop(p *process.Proc) error {
	pause := natsengine.RetryFirst
	for {
		if n.watchOnce(p) {
			pause = natsengine.RetryFirst
		}
		t := time.NewTimer(pause)
		select {
		case <-p.Context().Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		pause = min(2*pause, natsengine.RetryMax)
	}
}

// watchOnce opens the bucket and applies its watch to the cache until
// the watch ends or p stops; it reports whether the watch was made.
func (n *Node) watchOnce(p *process.Proc) bool {
	ctx, cancel := context.WithTimeout(p.Context(), kvOpTimeout)
	kv, err := n.registryKV(ctx)
	cancel()
	if err != nil {
		return false
	}
	w, err := kv.WatchAll(p.Context()) // bounded by the JetStream context's request timeout
	if err != nil {
		return false
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-p.Context().Done():
			return true
		case u, ok := <-w.Updates():
			if !ok {
				return true
			}
			if u == nil { // the initial values are all in
				continue
			}
			switch u.Operation() {
			case jetstream.KeyValuePut:
				var we wireEntry
				if json.Unmarshal(u.Value(), &we) == nil {
					n.cacheSet(u.Key(), entry{pid: pidOf(we.Node, we.ID), token: u.Revision()})
				}
			default:
				n.cacheDel(u.Key(), u.Revision())
			}
		}
	}
}
