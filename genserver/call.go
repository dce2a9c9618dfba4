package genserver

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// DefaultCallTimeout is OTP's 5 s call timeout: what a call waits for its
// reply when neither the context has a deadline nor [WithTimeout] was
// given, unless the timeout configuration says otherwise. The wait
// actually used is [CallTimeoutKey] in the timeout configuration of the
// callee's node (process.Config.Timeouts; timeouts.Default() for a node
// without one), which is this value times the ORCHARD_TIMEOUT_FACTOR
// until the configuration sets that key (see package timeouts).
const DefaultCallTimeout = timeouts.DefaultTimeout

// CallTimeoutKey is the key of the default call timeout in the node's
// timeout configuration.
const CallTimeoutKey = "genserver.call"

// Infinity, given to [WithTimeout], makes a call wait without a timeout of
// its own; only the context can end it then. It is timeouts.Infinity, so a
// configured "no timeout" means the same here.
const Infinity = timeouts.Infinity

// callReq is a pending call: the request, and the slot its reply goes
// into. One allocation carries both; the reply is published by sending on
// done, so the caller reads v and err only after that.
type callReq struct {
	req    any
	caller process.PID
	// info marks a delivery ([Deliver]): the loop runs HandleInfo on
	// req and then acknowledges with an empty reply.
	info bool
	// state is gen<<1 | replied. A call record is reused (see callEnv)
	// after a call that got its reply; gen tells a reply meant for an
	// earlier call through a kept From, which is then discarded.
	state atomic.Uint64
	v     any
	err   error
	done  chan struct{}
	dl    rt.Deadline // the call's timeout, swept by the node
	// timed says dl is registered; ctxDL is the caller's context
	// deadline (zero without one). Together they are the deadline the
	// call carries to its server (see callReq.deadline).
	timed bool
	ctxDL time.Time
	// callerProc is the calling process (nil outside a process): a
	// caller that died has given up (see callReq.abandoned).
	callerProc *process.Proc
	// adm is the admission state of a server with WithAdmission (nil
	// otherwise), enq when the request was sent if it bounds the delay.
	adm *admission
	enq time.Time
}

// errExpired marks a call completed by its deadline.
var errExpired = errors.New("genserver: call deadline passed")

// Expire completes the call with a timeout; the node's deadline sweeper
// calls it. A reply that came first wins.
func (c *callReq) Expire() { send(From{c: c, gen: c.state.Load() >> 1}, nil, errExpired) }

// From identifies a caller waiting for a reply. It is a small value: a
// server may keep it and reply later with [Reply]. A reply to a caller
// that gave up is discarded; it never reaches any mailbox.
type From struct {
	c      *callReq
	gen    uint64
	caller process.PID
}

// fromOf is the From of a call the server is handling now.
func fromOf(c *callReq) From { return From{c: c, gen: c.state.Load() >> 1, caller: c.caller} }

// Caller returns the PID of the calling process, or the zero PID when the
// call came from outside any process.
func (f From) Caller() process.PID { return f.caller }

// Reply sends v as the reply to the call from. It never blocks and may be
// called from any goroutine; only the first reply to a call counts. A
// reply to the zero From (one no HandleCall was given) does nothing.
func Reply(from From, v any) { send(from, v, nil) }

// ReplyError makes the call from return err. Like [Reply], it does
// nothing for the zero From.
func ReplyError(from From, err error) { send(from, nil, err) }

func send(from From, v any, err error) {
	c := from.c
	if c == nil || !c.state.CompareAndSwap(from.gen<<1, from.gen<<1|1) {
		return // replied already, or a reply to an earlier call
	}
	c.v, c.err = v, err
	c.done <- struct{}{}
}

// callEnvKey finds a node's callEnv (rt.Value).
type callEnvKey struct{}

// callEnv is what calls to one node's servers share: a pool of call
// records, and the node's default call timeout. The call already looks
// its pool up per call; the timeout rides along, so reading the node's
// configuration costs a pointer load and the handle's two atomic loads,
// no map lookup.
type callEnv struct {
	pool    sync.Pool
	timeout *timeouts.Handle // CallTimeoutKey in the node's configuration
	// The admission states of the node's servers with WithAdmission, by
	// PID; anyAdmission is set by the first, so other nodes never look.
	admissions   sync.Map
	anyAdmission atomic.Bool
}

// callEnvOf returns n's callEnv, made by the first call on n. The lookup
// comes first without an init function: a closure over n
// escapes, so building it on every call cost an allocation per call
// (W3, W5 and W6 profiles, alloc_objects); only the first call on a node
// builds it.
func callEnvOf(n *process.Node) *callEnv {
	if e, ok := rt.Value(n, callEnvKey{}, nil).(*callEnv); ok {
		return e
	}
	return rt.Value(n, callEnvKey{}, func() any {
		return &callEnv{
			pool:    sync.Pool{New: func() any { return &callReq{done: make(chan struct{}, 1)} }},
			timeout: nodeenv.TimeoutHandle(n, CallTimeoutKey),
		}
	}).(*callEnv)
}

// recycle returns a call record whose call got its reply: nobody else
// holds it but through a From of this generation, which send now rejects.
func recycle(pool *sync.Pool, c *callReq) {
	gen := c.state.Load() >> 1
	c.req, c.v, c.err, c.info, c.callerProc, c.adm = nil, nil, nil, false, nil, nil
	c.state.Store((gen + 1) << 1)
	pool.Put(c)
}

type castReq struct{ msg any }

type stopReq struct{ reason error }

// CallOption configures one call.
type CallOption interface{ applyCall(*callConfig) }

type callConfig struct {
	timeout time.Duration
	err     error // the first invalid option
}

// WithTimeout sets the call's own timeout; [Infinity] means none. Without
// it, a call waits until the context's deadline or, if the context has
// none, the configured default ([DefaultCallTimeout], see [CallTimeoutKey]). With both, the earlier one ends the call.
// Any other duration that is not positive makes the call fail with
// [ErrInvalidOption].
func WithTimeout(d time.Duration) CallOption { return timeoutOption(d) }

// timeoutOption is WithTimeout's option: a plain value, which
// applyCallOptions recognises without an allocation.
type timeoutOption time.Duration

func (o timeoutOption) applyCall(c *callConfig) {
	d := time.Duration(o)
	if d <= 0 && d != Infinity {
		c.setErr(argerr.New("genserver: WithTimeout", "d", "must be positive or Infinity, got "+d.String()))
		return
	}
	c.timeout = d
}

func (c *callConfig) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// Call sends req to the server dest and waits for its reply, typed as R.
// It monitors the server while it waits: a server that is not running,
// or dies before replying, fails the call at once with a *[CallError]
// carrying its exit reason. A reply that is not an R is a
// *[BadReplyError]; an error returned by HandleCall is returned as is. A
// request type that embeds [Req] declares its reply type: [Ask] then
// checks R at compile time.
func Call[R any](ctx context.Context, dest process.Dest, req any, opts ...CallOption) (R, error) {
	var zero R
	var cfg callConfig
	if len(opts) > 0 {
		if cfg = applyCallOptions(opts); cfg.err != nil {
			return zero, cfg.err
		}
	}
	v, err := call(ctx, dest, req, cfg, false)
	if err != nil {
		return zero, err
	}
	if r, ok := v.(R); ok {
		return r, nil
	}
	if v == nil && nillable(reflect.TypeFor[R]()) {
		return zero, nil
	}
	return zero, &BadReplyError{Want: reflect.TypeFor[R]().String(), Reply: v}
}

func nillable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func:
		return true
	}
	return false
}

// callOp names [Call] or [Deliver] in a bad-input error.
func callOp(info bool) string {
	if info {
		return "genserver: Deliver"
	}
	return "genserver: Call"
}

// call makes a call, or with info a delivery (see [Deliver]).
func call(ctx context.Context, dest process.Dest, req any, cfg callConfig, info bool) (any, error) {
	if ctx == nil {
		return nil, argerr.Nil(callOp(info), "ctx")
	}
	if err := ctxErr(ctx); err != nil {
		return nil, &CallError{Dest: dest, Reason: ctxReason(err)}
	}
	t, err := lookup(callOp(info), dest)
	if err != nil {
		return callRemote(ctx, dest, req, cfg, err, info)
	}
	var caller process.PID
	self, inProc := process.FromContext(ctx)
	if inProc {
		if self.PID() == t.PID() {
			return nil, &CallError{Dest: dest, Reason: ErrCallingSelf}
		}
		caller = self.PID()
	}
	ce := callEnvOf(t.Node())
	adm := ce.admissionOf(t.PID())
	if adm != nil {
		if err := adm.enter(); err != nil {
			return nil, &CallError{Dest: dest, Reason: err}
		}
	}
	c := ce.pool.Get().(*callReq)
	c.req, c.caller, c.info, c.adm = req, caller, info, adm
	if inProc && endsWithProc(ctx, self) {
		c.callerProc = self
	}
	if adm != nil && adm.TargetDelay > 0 {
		c.enq = time.Now()
	}
	w := waiter{ctx: ctx, t: t, c: c, dest: dest, timeout: cfg.timeout, caller: caller}
	w.arm(ce)
	if err := t.Send(c); err != nil {
		if c.timed {
			rt.StopDeadline(t.Node(), &c.dl)
		}
		if adm != nil {
			adm.leave()
		}
		return nil, &CallError{Dest: dest, Reason: err}
	}
	return w.await(ce)
}

// callRemote makes the call through the cluster when lookup's err says
// the server lives on a node of another program that a cluster reaches
// (package cluster); otherwise it returns err. Only failed lookups get
// here, so local calls pay nothing for clustering. With info it is a
// [Deliver] through the cluster.
func callRemote(ctx context.Context, dest process.Dest, req any, cfg callConfig, err error, info bool) (any, error) {
	var local *process.Node
	var caller process.PID
	if self, ok := process.FromContext(ctx); ok {
		local, caller = self.Node(), self.PID()
	}
	r, pid, ok := rt.RemoteFor(local, err)
	if !ok {
		return nil, err
	}
	if info {
		return nil, r.Deliver(ctx, dest, caller, pid, req, cfg.timeout, true)
	}
	return r.Call(ctx, dest, caller, pid, req, cfg.timeout)
}

// waiter is one caller waiting for its reply.
type waiter struct {
	ctx     context.Context
	t       rt.Target
	c       *callReq
	dest    process.Dest
	timeout time.Duration
	ctxLeft time.Duration // what the context's deadline allowed, for errors
	caller  process.PID
	ctxDone <-chan struct{} // what ends the wait besides reply and death
	// fromCtx says the timeout is the context's deadline (a handler's
	// context, see callContext): its expiry is also a DeadlineExceeded.
	fromCtx bool
}

// arm settles the call's timeout and deadline before the request is
// sent, so the record carries its deadline to the server. A context
// deadline waits on the context (or, for a handler's context, on the
// sweeper); a timeout of the call's own, or the default, on the node's
// deadline sweeper.
func (w *waiter) arm(ce *callEnv) {
	c := w.c
	c.ctxDL = time.Time{}
	if cc, ok := w.ctx.(*callContext); ok && !cc.built() {
		// A call made from a handler with its context: the handler's
		// deadline, swept like a timeout, so the chain costs no context
		// timer; the wait also ends when the handler's process dies.
		w.ctxDone = cc.proc.Done()
		c.ctxDL = cc.deadline // exact: the sweeper's own would round up
		w.ctxLeft = time.Until(cc.deadline)
		if w.timeout == 0 || w.timeout == Infinity || w.ctxLeft < w.timeout {
			w.timeout, w.fromCtx = max(w.ctxLeft, 1), true
		}
	} else {
		w.ctxDone = w.ctx.Done()
		if dl, has := w.ctx.Deadline(); has {
			w.ctxLeft = time.Until(dl)
			c.ctxDL = dl
			if w.timeout == 0 {
				w.timeout = Infinity
			}
		} else if w.timeout == 0 {
			w.timeout = ce.timeout.Get()
		}
	}
	c.timed = w.timeout > 0
	if c.timed {
		rt.StartDeadline(w.t.Node(), &c.dl, w.timeout, c)
	}
}

// await waits for the reply, the callee's death, the timeout or the
// context. It blocks on two or three channels, never on a timer channel:
// blocking on a timer costs more than the call itself, so the timeout is
// delivered through c.done by the node's deadline sweeper instead.
func (w *waiter) await(ce *callEnv) (any, error) {
	c, t := w.c, w.t
	if !w.block() {
		// Given up (context, or the callee died): claim the reply slot,
		// so the server sees the call abandoned and a late reply is
		// discarded. A reply or the timeout that came first wins.
		unreplied := c.state.Load() &^ 1
		if c.state.CompareAndSwap(unreplied, unreplied|1) {
			if c.timed {
				rt.StopDeadline(t.Node(), &c.dl)
			}
			return nil, w.failure()
		}
		<-c.done // sent right after the winner's claim
	}
	stillPending := !c.timed || rt.StopDeadline(t.Node(), &c.dl)
	v, err := c.v, c.err
	if err == errExpired {
		w.timedOut(w.timeout)
		reason := ErrTimeout
		if w.fromCtx {
			reason = ctxReason(context.DeadlineExceeded)
		}
		return nil, &CallError{Dest: w.dest, Reason: reason, Timeout: w.timeout}
	}
	if stillPending {
		// A normal reply, and the sweeper cannot be expiring it: no one
		// holds the record but through this call's From.
		recycle(&ce.pool, c)
	}
	return v, err
}

// block waits and reports whether the reply came.
func (w *waiter) block() bool {
	ctxDone := w.ctxDone
	if ctxDone == nil {
		select {
		case <-w.c.done:
			return true
		case <-w.t.Done():
			return false
		}
	}
	select {
	case <-w.c.done:
		return true
	case <-w.t.Done():
	case <-ctxDone:
	}
	return false
}

// failure says why a call got no reply: its context, or the callee died.
func (w *waiter) failure() error {
	if err := w.ctx.Err(); err != nil && w.t.Alive() {
		if errors.Is(err, context.DeadlineExceeded) {
			w.timedOut(w.ctxLeft)
		}
		return &CallError{Dest: w.dest, Reason: ctxReason(err), Timeout: w.ctxLeft}
	}
	return &CallError{Dest: w.dest, Reason: w.t.Reason()}
}

// timedOut reports the call's timeout to the node's observers.
func (w *waiter) timedOut(d time.Duration) {
	reportTimeout(w.t.Node(), CallTimedOut{Caller: w.caller, Callee: w.t.PID(), Timeout: d})
}

// ctxReason is the reason of a call ended by its context: a deadline is
// also a timeout.
func ctxReason(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.Join(ErrTimeout, err)
	}
	return err
}

func applyCallOptions(opts []CallOption) callConfig {
	// The common cases allocate nothing: no options, or only timeouts
	// (a config passed to an interface method would escape).
	var cfg callConfig
	for i, o := range opts {
		t, ok := o.(timeoutOption)
		if !ok {
			return applyOtherCallOptions(cfg, opts[i:])
		}
		t.applyCall(&cfg)
	}
	return cfg
}

func applyOtherCallOptions(c callConfig, opts []CallOption) callConfig {
	cfg := &c
	for _, o := range opts {
		if o == nil {
			cfg.setErr(argerr.Nil("genserver: Call", "opts"))
			continue
		}
		o.applyCall(cfg)
	}
	return *cfg
}

// lookup resolves dest to a live process, or a *CallError saying why not.
// A dest that names nothing (nil, the zero PID, an empty name) is bad
// input: an *ArgumentError for op. It is told apart only once Resolve
// failed, so a call pays nothing for the check.
func lookup(op string, dest process.Dest) (rt.Target, error) {
	if dest == nil {
		return rt.Target{}, argerr.Nil(op, "dest")
	}
	pid, err := dest.Resolve()
	if err != nil {
		if bad := badDest(op, dest); bad != nil {
			return rt.Target{}, bad
		}
		return rt.Target{}, &CallError{Dest: dest, Reason: err}
	}
	t, err := rt.Lookup(pid)
	if err != nil {
		var np *process.NoProcError
		if errors.As(err, &np) {
			return rt.Target{}, &CallError{Dest: dest, Reason: np.Reason}
		}
		return rt.Target{}, &CallError{Dest: dest, Reason: err}
	}
	if !t.Alive() {
		// Dead but not yet out of the node's table: the same as not
		// found, as a monitor set now would say (OTP's noproc).
		return rt.Target{}, &CallError{Dest: dest, Reason: process.NoProc}
	}
	return t, nil
}

// badDest returns the bad-input error for a dest that names nothing, or
// nil.
func badDest(op string, dest process.Dest) error {
	switch d := dest.(type) {
	case process.PID:
		if d.IsZero() {
			return argerr.New(op, "dest", "is the zero PID")
		}
	case process.Name:
		if d.String() == "" {
			return argerr.Empty(op, "dest")
		}
	}
	return nil
}

// Cast sends msg to the server dest without waiting (gen_server:cast). It
// fails only when dest cannot be resolved or is on a stopped node; a cast
// to a dead PID is dropped and counted, as in OTP.
func Cast(dest process.Dest, msg any) error {
	t, err := lookup("genserver: Cast", dest)
	if err != nil {
		if r, pid, ok := rt.RemoteFor(nil, err); ok {
			return r.Cast(pid, msg)
		}
		var ce *CallError
		if errors.As(err, &ce) && errors.Is(ce.Reason, process.NoProc) {
			if _, isPID := dest.(process.PID); isPID {
				return nil
			}
		}
		return err
	}
	return t.Send(castReq{msg: msg})
}

// Stop asks the server dest to stop with reason and waits up to timeout
// ([Infinity] for no limit) for it to exit (proc_lib:stop/3): Terminate
// runs, then the process exits. A nil reason means process.Normal. It
// returns nil when the server exited with reason, a *[StopError] when it
// exited with another, and a *[CallError] when it was not running or did
// not exit in time; the server keeps running in the last case. A timeout
// that is neither positive nor Infinity is an [ErrInvalidOption] error.
func Stop(dest process.Dest, reason error, timeout time.Duration) error {
	if reason == nil {
		reason = process.Normal
	}
	if timeout <= 0 && timeout != Infinity {
		return argerr.New("genserver: Stop", "timeout", "must be positive or Infinity, got "+timeout.String())
	}
	t, err := lookup("genserver: Stop", dest)
	if err != nil {
		return err
	}
	if err := t.Send(stopReq{reason: reason}); err != nil {
		return &CallError{Dest: dest, Reason: err}
	}
	var timerC <-chan time.Time
	if timeout != Infinity {
		tm := time.NewTimer(timeout)
		defer tm.Stop()
		timerC = tm.C
	}
	select {
	case <-t.Done():
	case <-timerC:
		return &CallError{Dest: dest, Reason: ErrTimeout, Timeout: timeout}
	}
	if got := t.Reason(); got != reason && !errors.Is(got, reason) {
		return &StopError{Want: reason, Got: got}
	}
	return nil
}
