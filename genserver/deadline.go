package genserver

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// deadlineAt returns the deadline the call carries, on the deadline clock
// of n, the callee's node (rt.Clock): the earlier of its own timeout's,
// which n's sweeper timed, and its context's. Only the server handling the
// call reads it, before it replies.
func (c *callReq) deadlineAt(n *process.Node) (int64, bool) {
	var at int64
	if c.timed {
		at = c.dl.At()
	}
	if !c.ctxDL.IsZero() {
		if d := rt.ClockOf(n, c.ctxDL); !c.timed || d < at {
			return d, true
		}
	}
	return at, c.timed
}

// dropReason says why a server discards a request instead of handling it.
type dropReason uint8

const (
	keep        dropReason = iota
	givenUp                // the caller gave up: deadline passed or context ended
	callerDead             // the calling process died
	cannotReply            // too little time left for the server's recent pace
)

// pace is what a server that has fallen behind knows of time: it reads
// the node's deadline clock (rt.Clock) only while requests wait behind
// the one it handles, which is when callers' timers and the node's
// sweeper run late and when dropping matters. A server that keeps up
// reads no clock at all.
//
// Its two flags are the server's fields fresh and timing, where they
// share a word with the server's other bools: fresh says clock was read
// as the previous message ended, with this one already waiting, so it is
// when this one starts; timing says start is when the running request
// started, so its duration is measured when it ends (lap).
type pace struct {
	clock int64 // the last reading
	start int64
	// cost is the shortest of the durations in history, the least a
	// request has recently taken (0 when unknown).
	cost int64
	// history is made the first time the server measures a request, so
	// a server that never falls behind does not carry it.
	history *costs
}

// costs are the durations of the last requests handled back to back, 0
// when unknown.
type costs struct {
	last [4]int64
	next int
}

// caughtUp forgets the costs: the server is not behind, and when it falls
// behind again its requests may cost something else. (The server's fresh
// and timing are its caller's to reset.)
func (p *pace) caughtUp() {
	if p.cost != 0 {
		h := p.history
		*h = costs{}
		*p = pace{history: h}
	}
}

// took records that a request took d.
func (p *pace) took(d int64) {
	h := p.history
	if h == nil {
		h = new(costs)
		p.history = h
	}
	h.last[h.next] = max(d, 1)
	h.next = (h.next + 1) % len(h.last)
	p.cost = 0
	for _, c := range h.last {
		if c != 0 && (p.cost == 0 || c < p.cost) {
			p.cost = c
		}
	}
}

// verdict says whether the server discards m (see [HandleAbandoned])
// rather than handle it, fresh being whether the clock was read as the
// previous message ended. The caller gave up: its reply slot is taken
// (its timeout fired or its context ended, see waiter.await), or the
// calling process is dead. Or the server is behind (other requests wait)
// and by its clock m's deadline has passed, although the sweeper and the
// caller, late under load, have not yet said so; or m has less time left
// than the shortest of the server's last few requests took, so its reply
// could not come in time. A server that is not behind reads no clock.
func (g *server) verdict(m *callReq, fresh bool) dropReason {
	if m.callerProc != nil && !m.callerProc.Alive() {
		return callerDead
	}
	if m.state.Load()&1 == 1 {
		return givenUp
	}
	p := &g.pace
	if !fresh {
		if rt.Waiting(g.self.Proc) == 0 {
			p.caughtUp()
			g.timing = false
			return keep
		}
		p.clock = rt.Clock(g.self.Node())
	}
	p.start, g.timing = p.clock, true
	at, ok := m.deadlineAt(g.self.Node())
	switch {
	case !ok:
		return keep
	case p.clock >= at:
		return givenUp
	case p.cost > 0 && at-p.clock < p.cost:
		return cannotReply
	}
	return keep
}

// lap runs as a call or delivery ends, before its reply is sent, or is
// dropped: when others wait, it reads the clock, the start of the next
// message, and measures the request that ends if it timed it. A server
// that keeps up does nothing here.
func (g *server) lap() {
	p := &g.pace
	timing := g.timing
	g.timing = false
	if !g.dropAbandoned || rt.Waiting(g.self.Proc) == 0 {
		return
	}
	p.clock, g.fresh = rt.Clock(g.self.Node()), true
	if timing {
		p.took(p.clock - p.start)
	}
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
// server fills with such calls). A server that has fallen behind (other
// requests wait behind the one it takes) also discards a request with
// less time left than the shortest of its last few requests took: its
// reply would come after its deadline, so its caller gets the timeout it
// would have got anyway, and the time goes to requests that can still be
// answered. The caller cannot tell the two apart: after a timeout OTP
// gives no guarantee that the request was or was not handled, so a
// correct caller already copes with both. Use this option for a server
// whose calls must take effect even when the caller stopped waiting.
func HandleAbandoned() StartOption { return handleAbandoned{} }

// handleAbandoned is HandleAbandoned's option, a plain value.
type handleAbandoned struct{}

func (handleAbandoned) applyStart(c startConfig) (startConfig, error) {
	c.handleAbandoned = true
	return c, nil
}

// CallDropped describes a [Call] or a [Deliver] a server discarded
// before handling it, because its caller had given up or, the server
// being behind, its reply could not have come in time (Late).
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
	// deadline had passed or its context had ended, or Late is set.
	CallerDead bool
	// Late says the caller was still waiting, but the server, behind,
	// found that the request had less time left than the shortest of its
	// last few requests took: its reply would have come too late.
	Late bool
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
func (g *server) dropCall(m *callReq, why dropReason) error {
	g.timing = false
	x := g.extras
	if x == nil {
		x = new(extras)
		g.extras = x
	}
	if x.drops == nil {
		x.drops = dropObserversOf(g.self.Node())
	}
	o := x.drops
	o.n.Add(1)
	o.mu.Lock()
	fns := o.fns
	o.mu.Unlock()
	if len(fns) > 0 {
		e := CallDropped{Caller: m.caller, Callee: g.self.PID(), Delivery: m.info,
			CallerDead: why == callerDead, Late: why == cannotReply}
		for _, fn := range fns {
			fn(e)
		}
	}
	g.lap()
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
		s.callCtx = &callContext{proc: s.Proc, deadline: s.deadline()}
	}
	return s.callCtx
}

// deadline is the deadline of the request being handled: the earlier of
// the caller's context's, exact, and its timeout's, on the node's clock.
func (s *Self) deadline() time.Time {
	dl := s.dlCtx
	if s.dlTimed {
		if at := rt.ClockTime(s.Node(), s.dlAt); dl.IsZero() || at.Before(dl) {
			dl = at
		}
	}
	return dl
}

// beginRequest records the deadline of the request about to be handled,
// for [Self.Context], which makes a clock time of it only if asked. It is
// copied now: the record may be reused once the caller has its reply,
// which can come before the handler returns.
func (g *server) beginRequest(m *callReq) {
	if m.timed || !m.ctxDL.IsZero() {
		s := &g.self
		s.hasDL, s.dlTimed, s.dlCtx = true, m.timed, m.ctxDL
		if m.timed {
			s.dlAt = m.dl.At()
		}
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
