package clusteragent

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/task"
)

// DefaultCatalogBucket is the JetStream KV bucket of the cluster's agent
// catalog for an empty Config.Bucket: one key per agent id, holding its
// kind, capabilities and metadata, so that any node can host it.
const DefaultCatalogBucket = "orchard_agent_catalog"

// GlobalPrefix starts the global registry name of every agent: the name
// of agent id is GlobalPrefix followed by id in base64url ([GlobalName]).
const GlobalPrefix = "orchard.agent."

// hostRetries bounds how often route tries to wake an agent here again
// after a failure that may pass (JetStream busy electing leaders).
const hostRetries = 10

// kvTimeout bounds one catalog operation made without a caller's context.
const kvTimeout = 5 * time.Second

// maxAttempts bounds how often one operation resolves an agent again
// after its host moved it or went away (pauses of up to 250 ms between
// them: about 30 s, time for the cluster to declare a node down and its
// registry to forget the node's names).
const maxAttempts = 120

// Config configures Start.
type Config struct {
	// Kinds are the kinds of agents this node can host, by Kind.Name:
	// every node should list the same ones, so that an agent can wake
	// on any of them.
	Kinds []agent.Kind
	// Bucket is the catalog's KV bucket; empty means
	// DefaultCatalogBucket.
	Bucket string
	// Replicas is the catalog's replica count; 0 follows the cluster
	// (cluster.Node.Replicas).
	Replicas int
	// Fenced, when set, is the agent system's store (Fenced(inner) given
	// to agent.WithStore): Start binds it to the System, so that a stale
	// copy of an agent cannot overwrite the snapshot of its new host.
	Fenced *FencedStore
}

// System is one node's part of the cluster-wide agent registry: it
// hosts agents in a local agent.System and resolves any agent id of the
// cluster to the node hosting it. Its methods are safe from any
// goroutine.
type System struct {
	n       *cluster.Node
	sys     *agent.System
	kinds   map[string]agent.Kind
	kv      jetstream.KeyValue
	tasks   *task.Supervisor
	watcher process.PID // steps down agents this node no longer holds (fence.go)

	stopped atomic.Bool
	next    atomic.Uint64 // Dispatch's round robin
	mu      sync.Mutex    // protects hosted
	hosted  map[string]*hosted
}

// hosted is an agent this node hosts, or is taking on.
type hosted struct {
	id     string
	ready  chan struct{} // closed once started (err nil) or given up (err set)
	err    error
	holder process.PID // holds the agent's global name
	token  uint64      // the global registration's fencing token
	moving atomic.Bool // being handed over: requests answer errMoved
}

// GlobalName returns the name under which agent id is registered in the
// cluster's global registry while a node hosts it.
func GlobalName(id string) string {
	return GlobalPrefix + base64.RawURLEncoding.EncodeToString([]byte(id))
}

func catalogKey(id string) string { return "a." + base64.RawURLEncoding.EncodeToString([]byte(id)) }

// Start makes sys, an agent system on n's process node, this node's
// part of the cluster-wide registry: it opens the catalog bucket in the
// node's JetStream (creating it, replicated as cfg says), registers the
// wire types and starts a task supervisor for the requests of other
// nodes. For a hibernated agent to wake on another node with its state,
// sys must keep its snapshots in the cluster's KV (agent.WithStore with
// an agent/kvstore store opened on the node). Stop hands the hosted
// agents back before sys stops.
func Start(ctx context.Context, n *cluster.Node, sys *agent.System, cfg Config) (*System, error) {
	const op = "clusteragent: Start"
	switch {
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case n == nil:
		return nil, argerr.Nil(op, "n")
	case sys == nil:
		return nil, argerr.Nil(op, "sys")
	case sys.Node() != n.Process():
		return nil, argerr.New(op, "sys", "does not run on n's process node")
	case cfg.Replicas < 0:
		return nil, argerr.New(op, "cfg.Replicas", "is negative")
	}
	kinds := map[string]agent.Kind{}
	for i, k := range cfg.Kinds {
		if k == nil {
			return nil, argerr.Nil(op, fmt.Sprintf("cfg.Kinds[%d]", i))
		}
		kinds[k.Name()] = k
	}
	if err := register(n); err != nil {
		return nil, err
	}
	eng, err := natsengine.ForNode(ctx, n.Process())
	if err != nil {
		return nil, fmt.Errorf("clusteragent: %w", err)
	}
	bucket, replicas := cfg.Bucket, cfg.Replicas
	if bucket == "" {
		bucket = DefaultCatalogBucket
	}
	if replicas == 0 {
		replicas = n.Replicas()
	}
	kv, err := natsengine.OpenKVReplicas(ctx, eng.JetStream(), bucket, "Orchard agent catalog", replicas)
	if err != nil {
		return nil, fmt.Errorf("clusteragent: %w", err)
	}
	tasks, err := task.StartSupervisor(n.Process())
	if err != nil {
		return nil, err
	}
	cs := &System{n: n, sys: sys, kinds: kinds, kv: kv, tasks: tasks, hosted: map[string]*hosted{}}
	if cs.watcher, err = n.Process().Spawn(cs.watch, rt.Behaviour("clusteragent.watch")); err != nil {
		_ = tasks.Stop(5 * time.Second)
		return nil, err
	}
	if cfg.Fenced != nil {
		cfg.Fenced.cs.Store(cs)
	}
	return cs, nil
}

// Local returns the node's agent system.
func (cs *System) Local() *agent.System { return cs.sys }

// Stop hands every agent this node hosts over (each hibernates: its
// snapshot is saved and its global name released, so the next message
// for it wakes it on whichever node receives it), then stops the
// system's task supervisor. Bounded by ctx; later calls do nothing.
func (cs *System) Stop(ctx context.Context) error {
	if cs == nil {
		return argerr.Nil("clusteragent: Stop", "cs")
	}
	if ctx == nil {
		return argerr.Nil("clusteragent: Stop", "ctx")
	}
	if cs.stopped.Swap(true) {
		return nil
	}
	cs.mu.Lock()
	hs := make([]*hosted, 0, len(cs.hosted))
	for _, h := range cs.hosted {
		hs = append(hs, h)
	}
	cs.mu.Unlock()
	var errs []error
	for _, h := range hs {
		select {
		case <-h.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		if h.err == nil {
			errs = append(errs, cs.release(ctx, h, true))
		}
	}
	_ = cs.n.Process().Exit(cs.watcher, process.Shutdown)
	timeout := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	errs = append(errs, cs.tasks.Stop(timeout))
	return errors.Join(errs...)
}

// Spawn registers cfg cluster-wide and starts it on this node: the id
// is created in the catalog (ErrAlreadyRegistered, as agent's, when any
// node has it) and registered in the global registry under
// GlobalName(cfg.ID), whose fencing token Whereis reports. cfg.Kind must
// be one of Config.Kinds.
func (cs *System) Spawn(ctx context.Context, cfg agent.Config) (process.PID, error) {
	const op = "clusteragent: Spawn"
	switch {
	case cs == nil:
		return process.PID{}, argerr.Nil(op, "cs")
	case ctx == nil:
		return process.PID{}, argerr.Nil(op, "ctx")
	case cfg.ID == "":
		return process.PID{}, argerr.Empty(op, "cfg.ID")
	case cfg.Kind == nil:
		return process.PID{}, argerr.Nil(op, "cfg.Kind")
	}
	if cs.stopped.Load() {
		return process.PID{}, ErrStopped
	}
	if cs.kinds[cfg.Kind.Name()] == nil {
		return process.PID{}, fmt.Errorf("%w: %q", ErrUnknownKind, cfg.Kind.Name())
	}
	rec := record{Kind: cfg.Kind.Name(), Capabilities: cfg.Capabilities, Metadata: cfg.Metadata}
	val, _ := json.Marshal(rec)
	if _, err := cs.kv.Create(ctx, catalogKey(cfg.ID), val); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return process.PID{}, fmt.Errorf("%w: %q", agent.ErrAlreadyRegistered, cfg.ID)
		}
		return process.PID{}, fmt.Errorf("clusteragent: catalog %q: %w", cfg.ID, err)
	}
	if _, err := cs.host(ctx, cfg.ID, rec); err != nil {
		if !errors.Is(err, process.ErrNameTaken) {
			// Not started anywhere: forget the id. (A taken name means
			// a message woke the new agent on another node meanwhile.)
			dctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
			_ = cs.kv.Delete(dctx, catalogKey(cfg.ID))
			cancel()
		}
		return process.PID{}, err
	}
	return cs.sys.Whereis(cfg.ID)
}

// lookup returns id's catalog record: an *agent.UnknownAgentError when
// no node registered it.
func (cs *System) lookup(ctx context.Context, id string) (record, error) {
	e, err := cs.kv.Get(ctx, catalogKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return record{}, &agent.UnknownAgentError{ID: id}
	}
	if err != nil {
		return record{}, fmt.Errorf("clusteragent: catalog %q: %w", id, err)
	}
	var r record
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return record{}, fmt.Errorf("clusteragent: catalog %q: %w", id, err)
	}
	return r, nil
}

// local returns the agent id this node hosts or takes on, if any.
func (cs *System) local(id string) *hosted {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.hosted[id]
}

// host takes agent id on: a holder process registers its global name
// (one node wins; another gets an error matching process.ErrNameTaken),
// then the local system registers and starts it from its last snapshot.
// A failure undoes what was done.
func (cs *System) host(ctx context.Context, id string, rec record) (*hosted, error) {
	k := cs.kinds[rec.Kind]
	if k == nil {
		return nil, fmt.Errorf("%w: %q (agent %q)", ErrUnknownKind, rec.Kind, id)
	}
	cs.mu.Lock()
	if h := cs.hosted[id]; h != nil {
		cs.mu.Unlock()
		return cs.await(ctx, h)
	}
	if cs.stopped.Load() {
		cs.mu.Unlock()
		return nil, ErrStopped
	}
	h := &hosted{id: id, ready: make(chan struct{})}
	cs.hosted[id] = h
	cs.mu.Unlock()
	h.err = cs.claim(ctx, h, agent.Config{ID: id, Kind: k, Capabilities: rec.Capabilities, Metadata: rec.Metadata})
	if h.err != nil {
		cs.mu.Lock()
		delete(cs.hosted, id)
		cs.mu.Unlock()
	}
	close(h.ready)
	if h.err != nil {
		return nil, h.err
	}
	return h, nil
}

// claim registers h's global name and starts the agent (host's steps).
func (cs *System) claim(ctx context.Context, h *hosted, cfg agent.Config) error {
	var err error
	h.holder, err = genserver.Start(cs.n.Process(), &holder{cs: cs, h: h},
		genserver.WithSpawnOptions(rt.Behaviour("clusteragent.holder")))
	if err != nil {
		return err
	}
	if h.token, err = cs.n.RegisterGlobal(ctx, GlobalName(h.id), h.holder); err != nil {
		_ = genserver.Stop(h.holder, nil, 5*time.Second)
		return err
	}
	if err = cs.sys.Register(cfg); err != nil && !errors.Is(err, agent.ErrAlreadyRegistered) {
		cs.unhost(h)
		return err
	}
	if _, err = cs.sys.StartAgent(ctx, h.id); err != nil {
		uctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
		_ = cs.sys.Unregister(uctx, h.id)
		cancel()
		cs.unhost(h)
		return err
	}
	return nil
}

// unhost releases h's global name and stops its holder.
func (cs *System) unhost(h *hosted) {
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	_ = cs.n.UnregisterGlobal(ctx, GlobalName(h.id), h.token)
	_ = genserver.Stop(h.holder, nil, 5*time.Second)
}

// await waits until h is started, and returns it or why it was not.
func (cs *System) await(ctx context.Context, h *hosted) (*hosted, error) {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if h.err != nil {
		return nil, h.err
	}
	return h, nil
}

// release hands h over: the agent hibernates (saving its snapshot) or,
// when it is not running, stops; it leaves the local system, its global
// name is released and, when stopHolder, its holder stops. Requests
// arriving meanwhile get errMoved and resolve it again.
func (cs *System) release(ctx context.Context, h *hosted, stopHolder bool) error {
	if h.moving.Swap(true) {
		return nil // someone else hands it over
	}
	// A system without a store cannot hibernate: the agent just stops
	// (Unregister below), its state lost as on any stop without one.
	err := cs.sys.Hibernate(ctx, h.id)
	if err != nil && !errors.Is(err, agent.ErrNotRunning) && !errors.Is(err, agent.ErrCrashed) && !errors.Is(err, ErrInvalidArgument) {
		h.moving.Store(false)
		return err
	}
	if err := cs.sys.Unregister(ctx, h.id); err != nil && !errors.Is(err, agent.ErrUnknownAgent) {
		h.moving.Store(false)
		return err
	}
	cs.mu.Lock()
	delete(cs.hosted, h.id)
	cs.mu.Unlock()
	// A failed unregistration leaves the name to the holder's exit:
	// the cluster's reaper removes it then.
	_ = cs.n.UnregisterGlobal(ctx, GlobalName(h.id), h.token)
	if stopHolder {
		_ = genserver.Stop(h.holder, nil, 5*time.Second)
	}
	return nil
}

// route finds agent id: hosted here (h), or held by holder, a process
// of another node. An agent no node holds is woken here when wake is
// set (one node wins the global name; the others route to it), else
// reported with h and holder both zero.
func (cs *System) route(ctx context.Context, id string, wake bool) (*hosted, process.PID, error) {
	for attempt := 0; ; attempt++ {
		if cs.stopped.Load() {
			return nil, process.PID{}, ErrStopped
		}
		if h := cs.local(id); h != nil {
			h, err := cs.await(ctx, h)
			if err == nil || !errors.Is(err, process.ErrNameTaken) || attempt >= maxAttempts {
				return h, process.PID{}, err
			}
		} else if pid, _, ok := cs.n.WhereIsGlobal(GlobalName(id)); ok && pid.Node() != cs.n.ID() {
			return nil, pid, nil
		} else if !ok {
			rec, err := cs.lookup(ctx, id)
			if err != nil {
				if errors.Is(err, agent.ErrUnknownAgent) || attempt >= hostRetries || ctx.Err() != nil {
					return nil, process.PID{}, err
				}
				if err := pause(ctx, attempt); err != nil {
					return nil, process.PID{}, err
				}
				continue // the catalog did not answer: JetStream busy
			}
			if !wake {
				return nil, process.PID{}, nil
			}
			h, err := cs.host(ctx, id, rec)
			switch {
			case err == nil || attempt >= maxAttempts || ctx.Err() != nil:
				return h, process.PID{}, err
			case errors.Is(err, process.ErrNameTaken):
			case errors.Is(err, ErrUnknownKind), errors.Is(err, ErrStopped), errors.Is(err, agent.ErrVersion),
				attempt >= hostRetries:
				return nil, process.PID{}, err
			}
			// Taken by another node (route to it once the cache shows
			// it), or JetStream did not answer (it elects new leaders
			// for a while after the loss of a server): try again.
		}
		// Another node won the name, or this node's cache still shows a
		// holder that left: wait for the cache.
		if err := pause(ctx, attempt); err != nil {
			return nil, process.PID{}, err
		}
	}
}

// pause waits a little longer at each attempt, bounded by ctx.
func pause(ctx context.Context, attempt int) error {
	d := min(time.Duration(attempt+1)*20*time.Millisecond, 250*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable reports whether err from a host means that the agent moved
// or its node went: the caller resolves it again.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(err, errMoved) {
		return true
	}
	var ce *genserver.CallError
	return errors.As(err, &ce) && !errors.Is(err, genserver.ErrTimeout)
}

// call sends req to holder, a host on another node, and returns its
// reply with its error decoded. A node declared down during the call
// ends it at once with cluster.NoConnection as the reason (package
// cluster fails the remote calls to a lost node).
func (cs *System) call(ctx context.Context, holder process.PID, req any) (Reply, error) {
	r, err := genserver.Call[Reply](ctx, holder, req)
	if err != nil {
		return Reply{}, err
	}
	return r, fromWire(cs.nodeName(holder.Node()), r.Err)
}

// nodeName returns the name of the node numbered id, as far as this node
// knows it.
func (cs *System) nodeName(id uint32) string {
	if id == cs.n.ID() {
		return cs.n.Name()
	}
	for _, m := range cs.n.Members() {
		if m.ID == id {
			return m.Name
		}
	}
	return fmt.Sprint(id)
}

// encodeInput returns in as JSON: a json.RawMessage or []byte as it is.
func encodeInput(in any) (json.RawMessage, error) {
	switch v := in.(type) {
	case json.RawMessage:
		return v, nil
	case []byte:
		return json.RawMessage(v), nil
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("clusteragent: encode input: %w", err)
	}
	return b, nil
}

// runJSON runs action on agent id wherever it lives (waking it here
// when no node hosts it) and returns its result as JSON; local runs fn.
func (cs *System) runJSON(ctx context.Context, op, id, action string, in any, local func(context.Context) error) (json.RawMessage, error) {
	switch {
	case cs == nil:
		return nil, argerr.Nil(op, "cs")
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case id == "":
		return nil, argerr.Empty(op, "id")
	case action == "":
		return nil, argerr.Empty(op, "action")
	}
	var lastErr error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		h, holder, err := cs.route(ctx, id, true)
		if err != nil {
			return nil, err
		}
		if h != nil {
			err := local(ctx)
			if errors.Is(err, agent.ErrUnknownAgent) && cs.local(id) != h && ctx.Err() == nil {
				lastErr = err // handed over meanwhile
			} else {
				return nil, err
			}
		} else {
			input, err := encodeInput(in)
			if err != nil {
				return nil, err
			}
			req := RunRequest{ID: id, Action: action, Input: input}
			if dl, ok := ctx.Deadline(); ok {
				req.Timeout = time.Until(dl)
			}
			r, err := cs.call(ctx, holder, req)
			if !retryable(ctx, err) {
				return r.Result, err
			}
			lastErr = err
		}
		if err := pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
	return nil, lastErr
}

// Run runs action on agent id wherever it lives in the cluster and
// returns its result as Out. An agent hosted here runs as agent.Run
// does (in is passed as it is); one hosted on another node gets in as
// JSON and its result comes back as JSON decoded into Out; one that no
// node hosts (hibernated, or its node declared down) is woken on this
// node from its last snapshot. Errors are agent.Run's, the same types
// from any node (*agent.UnknownAgentError, *agent.UnknownActionError,
// *agent.InvalidInputError, *agent.NotRunningError, *agent.CrashedError);
// a remote action's own error is a *cluster.RemoteError.
func Run[Out any](ctx context.Context, cs *System, id, action string, in any) (Out, error) {
	var out Out
	var ran bool
	raw, err := cs.runJSON(ctx, "clusteragent: Run", id, action, in, func(ctx context.Context) error {
		var err error
		out, err = agent.Run[Out](ctx, cs.sys, id, action, in)
		ran = true
		return err
	})
	if err != nil || ran {
		return out, err
	}
	var zero Out
	if len(raw) == 0 {
		return zero, nil
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return zero, &genserver.BadReplyError{Want: fmt.Sprintf("%T", zero), Reply: raw}
	}
	return out, nil
}

// RunJSON runs action on agent id wherever it lives with JSON input and
// returns its result as JSON, as Run does.
func (cs *System) RunJSON(ctx context.Context, id, action string, in json.RawMessage) (json.RawMessage, error) {
	if in == nil {
		in = json.RawMessage("null")
	}
	var res json.RawMessage
	raw, err := cs.runJSON(ctx, "clusteragent: RunJSON", id, action, in, func(ctx context.Context) error {
		var err error
		res, err = cs.sys.RunJSON(ctx, id, action, in)
		return err
	})
	if res != nil {
		return res, err
	}
	return raw, err
}

// Hibernate hibernates agent id wherever it lives and lets it go: its
// snapshot is saved in the store and its global name released, so the
// next message for it wakes it on whichever node receives it. An agent
// no node hosts is already hibernated.
func (cs *System) Hibernate(ctx context.Context, id string) error {
	const op = "clusteragent: Hibernate"
	switch {
	case cs == nil:
		return argerr.Nil(op, "cs")
	case ctx == nil:
		return argerr.Nil(op, "ctx")
	case id == "":
		return argerr.Empty(op, "id")
	}
	var lastErr error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		h, holder, err := cs.route(ctx, id, false)
		switch {
		case err != nil:
			return err
		case h != nil:
			return cs.release(ctx, h, true)
		case holder.IsZero():
			return nil
		}
		_, err = cs.call(ctx, holder, HibernateRequest{ID: id})
		if !retryable(ctx, err) {
			return err
		}
		lastErr = err
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return lastErr
}

// Info is where an agent lives in the cluster and its status there.
type Info struct {
	ID           string
	Kind         string
	Capabilities []string
	Metadata     map[string]string
	// Node is the name of the node hosting it, "" when none does (it
	// is hibernated, or its node went down): the next message wakes it.
	Node string
	// PID is its holder process (whose name it is in the global
	// registry), zero when no node hosts it; Token is that
	// registration's fencing token.
	PID   process.PID
	Token uint64
	// Status is its status on its node (Status only; agent.Hibernated
	// when no node hosts it).
	Status agent.Status
}

// Whereis returns where agent id lives, from the catalog and this
// node's cache of the global registry, without asking its node (Status
// is not set).
func (cs *System) Whereis(ctx context.Context, id string) (Info, error) {
	const op = "clusteragent: Whereis"
	switch {
	case cs == nil:
		return Info{}, argerr.Nil(op, "cs")
	case ctx == nil:
		return Info{}, argerr.Nil(op, "ctx")
	case id == "":
		return Info{}, argerr.Empty(op, "id")
	}
	rec, err := cs.lookup(ctx, id)
	if err != nil {
		return Info{}, err
	}
	return cs.infoOf(id, rec), nil
}

func (cs *System) infoOf(id string, rec record) Info {
	in := Info{ID: id, Kind: rec.Kind, Capabilities: rec.Capabilities, Metadata: rec.Metadata}
	if pid, tok, ok := cs.n.WhereIsGlobal(GlobalName(id)); ok {
		in.PID, in.Token, in.Node = pid, tok, cs.nodeName(pid.Node())
	}
	return in
}

// Status returns where agent id lives and its status there, asking its
// node (agent.Hibernated when no node hosts it).
func (cs *System) Status(ctx context.Context, id string) (Info, error) {
	in, err := cs.Whereis(ctx, id)
	if err != nil {
		return in, err
	}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		h, holder, err := cs.route(ctx, id, false)
		switch {
		case err != nil:
			return in, err
		case h != nil:
			local, err := cs.sys.Status(id)
			if err == nil {
				in.Status, in.Node, in.PID, in.Token = local.Status, cs.n.Name(), h.holder, h.token
				return in, nil
			}
		case holder.IsZero():
			in.Status, in.Node, in.PID, in.Token = agent.Hibernated, "", process.PID{}, 0
			return in, nil
		default:
			r, err := cs.call(ctx, holder, StatusRequest{ID: id})
			if err == nil {
				in = cs.infoOf(id, record{Kind: in.Kind, Capabilities: in.Capabilities, Metadata: in.Metadata})
				in.Status = r.Status
				return in, nil
			}
			if !retryable(ctx, err) {
				return in, err
			}
		}
		if err := pause(ctx, attempt); err != nil {
			return in, err
		}
	}
	return in, fmt.Errorf("clusteragent: status of %q: agent keeps moving", id)
}

// FindByCapability returns the agents of the cluster with capability c,
// sorted by id (it reads the whole catalog), from the catalog and this node's cache of the global
// registry (where each lives; Status is not set: ask Status).
func (cs *System) FindByCapability(ctx context.Context, c string) ([]Info, error) {
	const op = "clusteragent: FindByCapability"
	switch {
	case cs == nil:
		return nil, argerr.Nil(op, "cs")
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	}
	ids, err := cs.ids(ctx)
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, id := range ids {
		rec, err := cs.lookup(ctx, id)
		if err != nil || !slices.Contains(rec.Capabilities, c) {
			continue
		}
		out = append(out, cs.infoOf(id, rec))
	}
	return out, nil
}
