package genserver

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// server is the process.Handler that runs a Server: the gen_server loop.
//
// A server is allocated for every genserver process, and for every
// restart of one: it stays within the 192-byte allocation size class
// (TestServerSize), since in a fresh process each byte allocated costs
// its share of a first-touch page fault. What only the start needs (the
// via name, Init's outcome) is in the pooled initWait, the parent is the
// process's, what few servers need is in extras, a server that never
// falls behind has no history of request costs, and one that never
// continues has no queue of continues.
type server struct {
	self   Self
	srv    Server
	wait   *initWait // until Init has reported; then nil, so it is freed
	timer  process.TimerRef
	pace   pace    // the clock and costs of a server behind
	extras *extras // nil unless WithLogger, WithAdmission or a drop
	// The bools are next to each other, so that they share one word.
	link bool
	// dropAbandoned discards requests whose callers gave up (the
	// default; HandleAbandoned clears it).
	dropAbandoned bool
	// fresh and timing are pace's (see there), kept out of it to share
	// this word.
	fresh, timing bool
}

// extras is what few servers need: the options a start seldom gives, and
// the node's count and observers of dropped requests, looked up at the
// first drop. A server makes it only when one of them is set.
type extras struct {
	logger *slog.Logger   // WithLogger; nil without
	admit  *admission     // WithAdmission; nil without
	drops  *dropObservers // nil until the first drop
}

// HandleStart runs Init and reports its outcome to Start.
func (g *server) HandleStart(p *process.Proc) error {
	g.self.Proc = p
	w := g.wait
	g.wait = nil
	if x := g.extras; x != nil && x.admit != nil {
		x.admit.register(p)
	}
	if w.via != nil {
		if err := g.registerVia(p, w); err != nil {
			return err
		}
	}
	err := g.guard(func() error { return g.srv.Init(&g.self) })
	if err == nil {
		w.ack()
		return g.after()
	}
	if g.link {
		p.Unlink(p.Parent())
	}
	if errors.Is(err, Ignore) {
		w.err = ErrIgnored
		w.ack()
		return process.Normal
	}
	w.err = &InitError{Reason: err}
	w.ack()
	return err
}

// registerVia names the new process before Init, as gen.erl's
// register_name does; on failure the start is reported as failed and the
// process ends with reason normal, so a linked parent is not disturbed.
func (g *server) registerVia(p *process.Proc, w *initWait) error {
	err := w.via.RegisterName(p.PID())
	if err == nil {
		return nil
	}
	if errors.Is(err, process.ErrNameTaken) {
		holder, _ := w.via.Resolve()
		w.err = &AlreadyStartedError{Name: fmt.Sprint(w.via), PID: holder}
	} else {
		w.err = &InitError{Reason: err}
	}
	if g.link {
		p.Unlink(p.Parent())
	}
	w.ack()
	return process.Normal
}

// initWait is how Start waits for Init: Init's end and the init timeout
// race to complete it, and the winner wakes Start. The timeout comes from
// the node's deadline sweeper, so Start blocks on one channel and no
// timer (blocking on a timer channel costs more than the hand-off).
type initWait struct {
	state atomic.Int32 // waitPending, then waitAcked or waitExpired
	ch    chan struct{}
	dl    rt.Deadline
	pool  *sync.Pool // where recycle returns it
	// via is the name to register before Init (WithVia), nil for none;
	// err is the start's outcome, set before the ack (nil: Init
	// succeeded).
	via Registrar
	err error
}

// initWaitPoolKey finds a node's pool of initWaits (rt.Value):
// a start whose wait is recycled allocates neither it nor its channel.
// The pool is per node, as the call records' are: a channel made in one
// testing/synctest bubble must not be used in another.
type initWaitPoolKey struct{}

func initWaitPool(n *process.Node) *sync.Pool {
	return rt.Value(n, initWaitPoolKey{}, func() any {
		return &sync.Pool{New: func() any { return new(initWait) }}
	}).(*sync.Pool)
}

// newInitWait returns a pending initWait from pool; with a channel unless
// inline.
func newInitWait(pool *sync.Pool, inline bool) *initWait {
	w := pool.Get().(*initWait)
	w.pool = pool
	w.state.Store(waitPending)
	if !inline && w.ch == nil {
		w.ch = make(chan struct{}, 1)
	}
	return w
}

// recycle returns w to its pool. Only Start calls it, once Init has
// acked, Start has taken the wake-up (an inline Init's is still in the
// channel) and the deadline is unregistered before it fired.
func (w *initWait) recycle() {
	if w.ch != nil {
		select {
		case <-w.ch: // an inline ack's wake-up, which nobody took
		default:
		}
	}
	w.via, w.err = nil, nil
	w.pool.Put(w)
}

const (
	waitPending int32 = iota
	waitAcked
	waitExpired
)

// ack reports that Init finished, unless the timeout won.
func (w *initWait) ack() {
	if w.state.CompareAndSwap(waitPending, waitAcked) && w.ch != nil {
		w.ch <- struct{}{} // nil for an inline Init: nobody waits
	}
}

// Expire is the init timeout.
func (w *initWait) Expire() {
	if w.state.CompareAndSwap(waitPending, waitExpired) {
		w.ch <- struct{}{}
	}
}

// HandleMessage is one turn of the gen_server loop.
func (g *server) HandleMessage(_ *process.Proc, m process.Msg) error {
	fresh := g.fresh
	g.fresh = false
	if c, ok := m.(*callReq); ok {
		g.cancelTimeout()
		if c.adm != nil {
			c.adm.taken(c.enq)
		}
		if c.info {
			return g.handleDelivery(c, fresh)
		}
		return g.handleCall(c, fresh)
	}
	// No clock here: a cast or a plain message is never dropped, and a
	// call behind it reads the clock itself if others wait.
	return g.handleOther(m)
}

// handleOther handles a message that is not a call or a delivery.
func (g *server) handleOther(m process.Msg) error {
	if tm, ok := m.(timeoutMsg); ok {
		// Checked before cancelTimeout, which would make the timeout
		// stale: only a timeout still armed counts. A stale one (its
		// timer fired while a message was already queued) is not a
		// message at all, so it cancels nothing.
		if tm.gen != g.self.timeoutGen || g.timer.IsZero() {
			return nil
		}
		g.timer = process.TimerRef{}
		if err := g.handleInfo(Timeout{}); err != nil {
			return g.terminate(err)
		}
		return g.after()
	}
	g.cancelTimeout()
	var err error
	switch v := m.(type) {
	case castReq:
		err = g.handleCast(v.msg)
	case stopReq:
		return g.terminate(v.reason)
	case process.Exit:
		// An exit signal from the parent stops the server. A server
		// with no parent treats a signal from outside any process (the
		// node stopping, Node.Exit) as coming from its parent, and so
		// does an orphan when its node stops (Node.Stop signals only
		// processes whose parent is gone).
		if v.From == g.self.Parent() || (v.From.IsZero() && g.self.Node().Stopped()) {
			return g.terminate(v.Reason)
		}
		err = g.handleInfo(m) // m, not v: boxing v again would allocate
	default:
		err = g.handleInfo(m)
	}
	if err != nil {
		return g.terminate(err)
	}
	return g.after()
}

func (g *server) handleCall(m *callReq, fresh bool) error {
	h, ok := g.srv.(CallHandler)
	if !ok {
		return g.terminate(ErrNotImplemented)
	}
	if g.dropAbandoned {
		if why := g.verdict(m, fresh); why != keep {
			return g.dropCall(m, why)
		}
	}
	g.self.noReply = false
	// The From is taken once: the record may be reused as soon as the
	// caller has a reply, so it must not be read again afterwards.
	from := fromOf(m)
	g.beginRequest(m)
	v, err, crash := g.invokeCall(h, from, m.req)
	g.endRequest(!g.self.noReply)
	if !g.self.Alive() {
		// Killed while in HandleCall: a dead process sends nothing, so
		// the caller sees the exit reason, as in OTP.
		return crash
	}
	if crash != nil {
		return g.terminate(crash)
	}
	if g.self.stopReason != nil {
		// OTP's {stop, Reason, Reply, State}: terminate, then reply.
		reason := g.terminate(g.self.stopReason)
		if !g.self.noReply {
			send(from, v, err)
		}
		return reason
	}
	if g.dropAbandoned {
		// Before the reply: a lone caller's next call is not waiting
		// yet, so a server that keeps up reads no clock.
		g.lap()
	}
	if !g.self.noReply {
		send(from, v, err)
	}
	return g.after()
}

// invokeCall runs HandleCall; crash is set when it panicked. It is written
// out (not through guard) so the hot path allocates no closure.
func (g *server) invokeCall(h CallHandler, from From, req any) (v any, err error, crash error) {
	defer func() {
		if r := recover(); r != nil {
			crash = panicReason(r)
		}
	}()
	v, err = h.HandleCall(&g.self, from, req)
	return v, err, nil
}

func (g *server) handleCast(msg any) (err error) {
	h, ok := g.srv.(CastHandler)
	if !ok {
		return ErrNotImplemented
	}
	defer recoverInto(&err)
	return h.HandleCast(&g.self, msg)
}

func (g *server) handleInfo(msg any) (err error) {
	h, ok := g.srv.(InfoHandler)
	if !ok {
		return nil
	}
	defer recoverInto(&err)
	return h.HandleInfo(&g.self, msg)
}

// after runs scheduled continues, a requested stop, and arms the timeout.
func (g *server) after() error {
	s := &g.self
	for s.cont.pending() && s.stopReason == nil && s.Alive() {
		// A continue runs: the clock read before it is not when the
		// next message starts.
		g.fresh = false
		c := s.cont.next()
		h, ok := g.srv.(ContinueHandler)
		if !ok {
			return g.terminate(ErrNotImplemented)
		}
		if err := g.guard(func() error { return h.HandleContinue(s, c) }); err != nil {
			return g.terminate(err)
		}
	}
	s.cont.drop()
	if s.stopReason != nil {
		return g.terminate(s.stopReason)
	}
	if s.timeout > 0 {
		s.timeoutGen++
		g.timer, _ = s.SendAfter(s.PID(), timeoutMsg{gen: s.timeoutGen}, s.timeout)
		s.timeout = 0
	}
	return nil
}

func (g *server) cancelTimeout() {
	if !g.timer.IsZero() {
		g.self.Node().CancelTimer(g.timer)
		g.timer = process.TimerRef{}
		g.self.timeoutGen++
	}
}

// terminate runs Terminate (if any) and returns the final exit reason.
func (g *server) terminate(reason error) error {
	reason = orNormal(reason)
	if !g.self.Alive() {
		// Killed, or ended by an exit signal it does not trap, while in
		// a callback: the process is already dead, and OTP runs no
		// terminate/2 for such a death.
		return reason
	}
	if t, ok := g.srv.(Terminator); ok {
		if crash := g.guard(func() error { t.Terminate(&g.self, reason); return nil }); crash != nil {
			reason = crash
		}
	}
	if x := g.extras; x != nil && x.logger != nil && !process.IsNormalOrShutdown(reason) {
		x.logger.Error("generic server terminating",
			slog.String("pid", g.self.PID().String()),
			slog.String("reason", process.FormatReason(reason)))
	}
	return reason
}

func orNormal(reason error) error {
	if reason == nil {
		return process.Normal
	}
	return reason
}

// guard runs a callback and turns a panic into an error reason.
func (g *server) guard(fn func() error) (err error) {
	defer recoverInto(&err)
	return fn()
}

// recoverInto turns a panic in a callback into a *process.PanicError.
// gen_server catches callback exceptions so it can run terminate/2 with
// the reason; we do the same, keeping the stack (64 KiB buffer, as the
// process runtime does).
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = panicReason(r)
	}
}

func panicReason(r any) error {
	buf := make([]byte, 64<<10)
	buf = buf[:runtime.Stack(buf, false)]
	return &process.PanicError{Value: r, Stack: buf}
}
