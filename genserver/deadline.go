package genserver

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// deadline returns the deadline the call carries: the earlier of its
// context's deadline and its own timeout's. n is the callee's node,
// whose sweeper timed the call. Only the server handling the call reads
// it, before it replies.
func (c *callReq) deadline(n *process.Node) (time.Time, bool) {
	dl, ok := c.ctxDL, !c.ctxDL.IsZero()
	if c.timed {
		if at := rt.DeadlineTime(n, &c.dl); !ok || at.Before(dl) {
			dl, ok = at, true
		}
	}
	return dl, ok
}

// abandoned reports whether the caller has given up on the call: its
// reply slot is taken (the deadline passed, or the caller's context
// ended, see waiter.await), the calling process is dead, or the deadline
// is due although the caller has not woken yet (the node's sweeper and
// the caller's timer run late on a loaded machine, which is when dropping
// matters). n is the server's node. It reads one atomic word, the
// caller's liveness flag and the clock.
func (c *callReq) abandoned(n *process.Node) bool {
	if c.state.Load()&1 == 1 || (c.callerProc != nil && !c.callerProc.Alive()) {
		return true
	}
	if c.timed && rt.DeadlinePassed(n, &c.dl) {
		return true
	}
	return !c.ctxDL.IsZero() && !time.Now().Before(c.ctxDL)
}

// endsWithProc reports whether ctx, which names the process p, is p's own
// context or a handler's (Self.Context): a wait on it ends when p dies,
// so a call made with it is given up then. A context derived from them
// may not (context.WithoutCancel keeps p's name but not its end): a
// call made with one is given up only when its waiter says so. It
// compares two words; it makes nothing.
func endsWithProc(ctx context.Context, p *process.Proc) bool {
	if cc, ok := ctx.(*callContext); ok {
		return cc.proc == p
	}
	return ctx == p.Context()
}

// HandleAbandoned makes the server handle every call and [Deliver], even
// one whose caller has already given up (its deadline passed, its context
// was cancelled, or the calling process died), as OTP's gen_server does:
// the OTP-exact mode. By default a server discards such a request before
// its handler runs and reports it ([OnCallDropped]): nobody would read
// the reply, and a server that has fallen behind would otherwise spend
// its time on work already given up (the mailbox of an overloaded OTP
// server fills with such calls). The caller cannot tell the two apart:
// after a timeout OTP gives no guarantee that the request was or was not
// handled, so a correct caller already copes with both. Use this option
// for a server whose calls must take effect even when the caller stopped
// waiting.
func HandleAbandoned() StartOption { return handleAbandoned{} }

// handleAbandoned is HandleAbandoned's option, a plain value.
type handleAbandoned struct{}

func (handleAbandoned) applyStart(c startConfig) (startConfig, error) {
	c.handleAbandoned = true
	return c, nil
}

// CallDropped describes a [Call] or a [Deliver] a server discarded
// before handling it, because its caller had given up.
type CallDropped struct {
	// Caller is the calling process; zero when the call was not made
	// from a process.
	Caller process.PID
	// Callee is the server that dropped the request.
	Callee process.PID
	// Delivery says the request was a [Deliver] (a supervised send
	// awaiting its Handled confirmation), not a [Call].
	Delivery bool
	// CallerDead says the calling process had died; otherwise the call's
	// deadline had passed or its context had ended.
	CallerDead bool
}

// dropObservers holds a node's dropped-call functions and count.
type dropObservers struct {
	n   atomic.Uint64
	mu  sync.Mutex
	fns []func(CallDropped)
}

type dropObserversKey struct{}

func dropObserversOf(node *process.Node) *dropObservers {
	return rt.Value(node, dropObserversKey{}, func() any { return &dropObservers{} }).(*dropObservers)
}

// OnCallDropped adds fn to the functions that hear of every request a
// server of node discards because its caller gave up (see
// [HandleAbandoned]); GenServerEvents of package telemetry/bridge attaches
// here. fn runs in the server's process, before its next message, and
// must not block. Functions stay for the node's life. A nil node or fn
// does nothing.
func OnCallDropped(node *process.Node, fn func(CallDropped)) {
	if node == nil || fn == nil {
		return
	}
	o := dropObserversOf(node)
	o.mu.Lock()
	o.fns = append(o.fns, fn)
	o.mu.Unlock()
}

// Dropped returns how many requests the servers of node have discarded
// because their callers gave up, since the node started (0 for a nil
// node).
func Dropped(node *process.Node) uint64 {
	if node == nil {
		return 0
	}
	return dropObserversOf(node).n.Load()
}

// dropCall discards an abandoned request and reports it. The message
// counts as received: it cancelled a [Self.SetTimeout], as any message
// does.
func (g *server) dropCall(m *callReq) error {
	if g.drops == nil {
		g.drops = dropObserversOf(g.self.Node())
	}
	o := g.drops
	o.n.Add(1)
	o.mu.Lock()
	fns := o.fns
	o.mu.Unlock()
	if len(fns) > 0 {
		e := CallDropped{Caller: m.caller, Callee: g.self.PID(), Delivery: m.info,
			CallerDead: m.callerProc != nil && !m.callerProc.Alive()}
		for _, fn := range fns {
			fn(e)
		}
	}
	return g.after()
}

// Context returns the context of the callback running now. In
// HandleCall, and in HandleInfo for a [Deliver], it carries the request's
// deadline (the earlier of the caller's timeout and the caller's context
// deadline) and ends at that deadline or when the process dies, whichever
// comes first: a [Call] or a supervised send made with it inherits the
// time the first caller has left, so a chain of calls never outlives its
// first caller. It also ends (context.Canceled) once the handler has
// returned and the request is answered, as an HTTP request's context
// ends when its handler returns; after [Self.NoReply] it lasts until the
// deadline, for the work that will reply. In any other callback, and for
// a request without a deadline, it is the process's context
// ([process.Proc.Context]), which ends when the process dies. Code that
// must outlive the request uses s.Proc.Context().
func (s *Self) Context() context.Context {
	if s == nil {
		return (*process.Proc)(nil).Context()
	}
	if !s.hasDL {
		return s.Proc.Context()
	}
	if s.callCtx == nil {
		s.callCtx = &callContext{proc: s.Proc, deadline: s.dl}
	}
	return s.callCtx
}

// beginRequest records the deadline of the request about to be handled,
// for [Self.Context]. It is read now: the record may be reused once the
// caller has its reply, which can come before the handler returns.
func (g *server) beginRequest(m *callReq) {
	if m.timed || !m.ctxDL.IsZero() {
		g.self.dl, g.self.hasDL = m.deadline(g.self.Node())
	}
}

// endRequest forgets the request's deadline once its handler returned.
// answered says the request has had its answer: the handler's context, if
// it asked for one, ends then, so that a context derived from it (and its
// timer) is not kept by the process's context until the deadline.
func (g *server) endRequest(answered bool) {
	if answered && g.self.callCtx != nil {
		g.self.callCtx.end()
	}
	g.self.hasDL, g.self.callCtx = false, nil
}

// callContext is a handler's context while it handles a request with a
// deadline. Deadline and the process are answered from its fields; the
// standard context behind Done, Err and derived contexts (a deadline
// context under the process's) is made the first time one is needed, so
// a handler that only passes its context on to [Call] pays for no timer:
// Call reads the deadline and times the wait on the node's sweeper.
type callContext struct {
	proc     *process.Proc
	deadline time.Time
	once     sync.Once
	made     atomic.Bool
	over     atomic.Bool // the request was answered (end)
	ctx      context.Context
	cancel   context.CancelFunc // by the context's own timer, or end
}

func (c *callContext) std() context.Context {
	c.once.Do(func() {
		c.ctx, c.cancel = context.WithDeadline(c.proc.Context(), c.deadline)
		c.made.Store(true)
		if c.over.Load() {
			c.cancel() // made after end: ended already
		}
	})
	return c.ctx
}

// end ends the context: its request was answered. Either end sees the
// standard context made, or std sees over set, so it is cancelled.
func (c *callContext) end() {
	c.over.Store(true)
	if c.made.Load() {
		c.cancel()
	}
}

// built reports whether the standard context exists: then it, not the
// fields, answers (it may already be cancelled).
func (c *callContext) built() bool { return c.made.Load() }

// Deadline returns the request's deadline.
func (c *callContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done returns a channel closed at the deadline or the process's death.
func (c *callContext) Done() <-chan struct{} { return c.std().Done() }

// Err returns context.DeadlineExceeded after the deadline, the process
// context's error after its death, nil before either.
func (c *callContext) Err() error { return c.std().Err() }

// Value answers FromContext's key from the process's context, and the
// context package's own keys (context.Cause, a derived context looking
// for its parent) from the standard context.
func (c *callContext) Value(key any) any {
	if _, std := key.(*int); std {
		return c.std().Value(key)
	}
	return c.proc.Context().Value(key)
}

// String names the context after its process.
func (c *callContext) String() string {
	return "genserver.Context(" + c.proc.PID().String() + ")"
}

// ctxErr is ctx.Err(), answered for a handler's context without making
// its standard context while the deadline has not passed.
func ctxErr(ctx context.Context) error {
	if cc, ok := ctx.(*callContext); ok && !cc.built() && !cc.over.Load() && cc.proc.Alive() && time.Now().Before(cc.deadline) {
		return nil
	}
	return ctx.Err()
}
