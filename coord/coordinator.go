package coord

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Coordinator is a handle on a coordinator process: its methods are
// calls to that process, safe from any goroutine. Get one from [Start],
// [StartLink] or [For].
type Coordinator struct {
	dest process.Dest
}

// For returns a handle on the coordinator process at dest (a PID, or
// node.Name(name) for one started [WithName], for example by a
// supervisor through [StartFunc]). It does not check that the process
// exists. With a nil dest or a zero PID every method of the handle
// returns an error matching [ErrInvalidArgument].
func For(dest process.Dest) *Coordinator { return &Coordinator{dest: dest} }

// Start starts a coordinator process on node, with no parent. Bad
// options or a nil node give an error matching [ErrInvalidArgument];
// a stopped node process.ErrNodeStopped.
func Start(node *process.Node, opts ...Option) (*Coordinator, error) {
	const op = "coord: Start"
	if node == nil {
		return nil, isNil(op, "node")
	}
	cfg, err := configure(op, opts)
	if err != nil {
		return nil, err
	}
	return start(node, nil, cfg)
}

// StartLink starts a coordinator process linked to parent, for a
// supervisor child; see [StartFunc].
func StartLink(parent *process.Proc, opts ...Option) (*Coordinator, error) {
	const op = "coord: StartLink"
	if parent == nil {
		return nil, isNil(op, "parent")
	}
	cfg, err := configure(op, opts)
	if err != nil {
		return nil, err
	}
	return start(parent.Node(), parent, cfg)
}

// StartFunc returns a start function for a supervisor child spec
// (supervisor.StartFunc) that runs [StartLink] with opts. The backend
// is chosen once, here, so a restarted coordinator finds the leases
// (and the token counter) of the one before it: with the default
// in-node backend, fencing tokens keep growing across restarts. Give
// the coordinator a name ([WithName]) to find it after a restart. Bad
// options make every start fail with their error.
func StartFunc(opts ...Option) func(parent *process.Proc) (process.PID, error) {
	cfg, err := configure("coord: StartFunc", opts)
	return func(parent *process.Proc) (process.PID, error) {
		if err != nil {
			return process.PID{}, err
		}
		if parent == nil {
			return process.PID{}, isNil("coord: StartFunc", "parent")
		}
		c, err := start(parent.Node(), parent, cfg)
		if err != nil {
			return process.PID{}, err
		}
		return c.PID()
	}
}

func configure(op string, opts []Option) (config, error) {
	var cfg config
	for i, o := range opts {
		if o == nil {
			return cfg, isNil(op, fmt.Sprintf("opts[%d]", i))
		}
		if err := o.apply(&cfg); err != nil {
			return cfg, err
		}
	}
	cfg.withDefaults()
	return cfg, nil
}

func start(node *process.Node, parent *process.Proc, cfg config) (*Coordinator, error) {
	if node.Stopped() {
		return nil, process.ErrNodeStopped
	}
	srv := newServer(cfg)
	gopts := []genserver.StartOption{genserver.WithSpawnOptions(rt.Behaviour("coord"))}
	if cfg.name != "" {
		gopts = append(gopts, genserver.WithName(cfg.name))
	}
	var pid process.PID
	var err error
	if parent != nil {
		pid, err = genserver.StartLink(parent, srv, gopts...)
	} else {
		pid, err = genserver.Start(node, srv, gopts...)
	}
	if err != nil {
		return nil, err
	}
	return &Coordinator{dest: pid}, nil
}

func (c *Coordinator) target(op string) (process.Dest, error) {
	if c == nil {
		return nil, isNil(op, "receiver")
	}
	if c.dest == nil {
		return nil, invalid(op, "receiver", "is a handle on a nil destination")
	}
	if pid, ok := c.dest.(process.PID); ok && pid.IsZero() {
		return nil, invalid(op, "receiver", "is a handle on the zero PID")
	}
	return c.dest, nil
}

// PID returns the coordinator process's PID (resolving a name now).
func (c *Coordinator) PID() (process.PID, error) {
	dest, err := c.target("coord: Coordinator.PID")
	if err != nil {
		return process.PID{}, err
	}
	return dest.Resolve()
}

// Stop stops the coordinator process and waits, within ctx, until it
// is gone. It releases every lease it holds first, so the next holder
// need not wait for a lease to expire.
func (c *Coordinator) Stop(ctx context.Context) error {
	const op = "coord: Coordinator.Stop"
	dest, err := c.target(op)
	if err != nil {
		return err
	}
	if ctx == nil {
		return isNil(op, "ctx")
	}
	timeout := DefaultBackendTimeout * 2
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
		if timeout <= 0 {
			return context.DeadlineExceeded
		}
	}
	return genserver.Stop(dest, process.Shutdown, timeout)
}

// prepare checks the common arguments of a call and resolves its
// options and holder.
func (c *Coordinator) prepare(op string, ctx context.Context, name string, opts []CallOption, needHolder bool) (process.Dest, callConfig, error) {
	var cc callConfig
	dest, err := c.target(op)
	if err != nil {
		return nil, cc, err
	}
	if ctx == nil {
		return nil, cc, isNil(op, "ctx")
	}
	if name == "" {
		return nil, cc, empty(op, "name")
	}
	for i, o := range opts {
		if o == nil {
			return nil, cc, isNil(op, fmt.Sprintf("opts[%d]", i))
		}
		if err := o.applyCall(&cc); err != nil {
			return nil, cc, err
		}
	}
	if cc.lease == 0 {
		cc.lease = DefaultLease
	}
	if cc.timeout == 0 {
		cc.timeout = DefaultBarrierTimeout
	}
	if needHolder && cc.holder.IsZero() {
		p, ok := process.FromContext(ctx)
		if !ok {
			return nil, cc, invalid(op, "holder", "no holder: call from a process (its context) or pass WithHolder")
		}
		cc.holder = p.PID()
	}
	return dest, cc, nil
}

// Lock is a held lock: its name, its fencing token and its holder.
// Pass the Token with every write the lock protects, and have the
// resource check it with a [Fence]: a holder whose lease ran out (it
// was paused, its coordinator died) carries a token smaller than the
// next holder's, and its late writes are refused.
type Lock struct {
	c   *Coordinator
	key string
	// Name is the lock's name.
	Name string
	// Token is the fencing token of this holding.
	Token uint64
	// Holder is the process that holds the lock.
	Holder process.PID
	// Lease is the lease the coordinator renews while Holder lives.
	Lease time.Duration
}

type grant struct {
	token uint64
}

// Lock acquires the lock name for the holder process (the context's
// process, or [WithHolder]) with a lease ([WithLease]). It waits, in
// arrival order behind other waiters, until the lock is free, until
// ctx ends (or genserver's default call timeout passes, when ctx has
// no deadline), or until the holder dies ([ErrHolderDown]).
//
// The coordinator monitors the holder and renews the lease every
// third of it while the holder lives; when the holder dies the lock is
// released at once, and the next holder gets a larger token. If the
// lease is lost anyway (the backend could not be reached for a whole
// lease), the holder receives a [LeaseLost] message. A holder asking
// for a lock it already holds gets an error (locks are not reentrant).
func (c *Coordinator) Lock(ctx context.Context, name string, opts ...CallOption) (*Lock, error) {
	return c.lock("coord: Coordinator.Lock", ctx, name, opts, false)
}

// TryLock is [Coordinator.Lock] without waiting: a lock that is held,
// or has waiters, gives an error matching [ErrHeld].
func (c *Coordinator) TryLock(ctx context.Context, name string, opts ...CallOption) (*Lock, error) {
	return c.lock("coord: Coordinator.TryLock", ctx, name, opts, true)
}

func (c *Coordinator) lock(op string, ctx context.Context, name string, opts []CallOption, try bool) (*Lock, error) {
	dest, cc, err := c.prepare(op, ctx, name, opts, true)
	if err != nil {
		return nil, err
	}
	key := lockKey(name)
	id := nextID()
	g, err := genserver.Call[grant](ctx, dest, lockReq{key: key, name: name, holder: cc.holder, lease: cc.lease, try: try, id: id})
	if err != nil {
		cancel(dest, cancelReq{key: key, id: id}, err)
		return nil, err
	}
	return &Lock{c: c, key: key, Name: name, Token: g.token, Holder: cc.holder, Lease: cc.lease}, nil
}

// cancel tells the coordinator that the caller gave up on request id,
// so a grant that raced with the caller's timeout is not leaked.
func cancel(dest process.Dest, msg any, err error) {
	var ce *genserver.CallError
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.As(err, &ce) {
		_ = genserver.Cast(dest, msg)
	}
}

// reqSeq numbers requests, so a caller that gave up can name the
// request it cancels.
var reqSeq atomic.Uint64

func nextID() uint64 { return reqSeq.Add(1) }

// Release releases the lock if this handle still holds it (its token
// is the lock's current one); else it returns [ErrNotHeld].
func (l *Lock) Release(ctx context.Context) error {
	const op = "coord: Lock.Release"
	if l == nil {
		return isNil(op, "receiver")
	}
	dest, err := l.c.target(op)
	if err != nil {
		return err
	}
	if ctx == nil {
		return isNil(op, "ctx")
	}
	_, err = genserver.Call[struct{}](ctx, dest, releaseReq{key: l.key, token: l.Token})
	return err
}

// Round is a barrier round that tripped: every participant got it.
type Round struct {
	// Name is the barrier's name; Round counts its rounds from 1.
	Name  string
	Round uint64
	// Participants are the processes that arrived, in arrival order.
	Participants []process.PID
}

// Await arrives at the barrier name of n participants for the
// participant process (the context's, or [WithHolder]) and waits until
// all n have arrived; then every participant gets the same [Round]
// and the barrier is ready for its next round. The round fails for
// every participant with a *[BarrierError] when one that arrived (or
// one declared with [WithParticipants]) dies first
// ([ErrParticipantDown]) or when its timeout ([WithTimeout], counted
// from its first arrival) passes ([ErrBarrierTimeout]); no participant
// is left waiting. Each participant must give the same n. The call is
// also bounded by ctx (or genserver's default call timeout).
func (c *Coordinator) Await(ctx context.Context, name string, n int, opts ...CallOption) (Round, error) {
	const op = "coord: Coordinator.Await"
	dest, cc, err := c.prepare(op, ctx, name, opts, true)
	if err != nil {
		return Round{}, err
	}
	if n < 1 {
		return Round{}, invalid(op, "n", fmt.Sprintf("must be at least 1, got %d", n))
	}
	if cc.participants != nil && len(cc.participants) != n {
		return Round{}, invalid(op, "WithParticipants", fmt.Sprintf("names %d processes for a barrier of %d", len(cc.participants), n))
	}
	id := nextID()
	r, err := genserver.Call[Round](ctx, dest, awaitReq{name: name, n: n, holder: cc.holder, timeout: cc.timeout, participants: cc.participants, id: id})
	if err != nil {
		cancel(dest, cancelAwait{name: name, id: id}, err)
	}
	return r, err
}
