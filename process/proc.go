package process

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Func is the code of a process that runs as a plain function: it owns a
// goroutine for its whole life and reads its mailbox with [Proc.Receive].
// Returning ends the process: a nil error means reason [Normal], any other
// error is the exit reason. A panic becomes a *[PanicError] reason.
type Func func(p *Proc) error

// Handler is the code of a message-driven process. An idle handler process
// holds no goroutine: a pooled worker runs it only while it has messages.
// HandleMessage returning a non-nil error ends the process with that
// reason (return [Normal] to stop quietly). Behaviours such as genserver
// are handlers.
type Handler interface {
	HandleMessage(p *Proc, msg Msg) error
}

// funcProc is the handler of a [Func] process: the Func lives in the
// Proc's handler field, so a Proc holds one or the other in one field.
// Its HandleMessage is never called: a Func takes its messages with
// Receive.
type funcProc Func

// HandleMessage is never called (run starts a Func, which receives with
// Receive); were it called, the process would end with a clear reason
// rather than drop the message.
func (funcProc) HandleMessage(*Proc, Msg) error { return errFuncHandled }

// behaviourName is p's behaviour label, empty for none.
func (p *Proc) behaviourName() string {
	if p.behaviour == nil {
		return ""
	}
	return *p.behaviour
}

// isFunc reports whether p is a Func process (not a handler process).
func (p *Proc) isFunc() bool {
	_, ok := p.h.(funcProc)
	return ok
}

// Starter is implemented by a [Handler] that has work to do before its
// first message: HandleStart runs in the new process before any message.
type Starter interface {
	HandleStart(p *Proc) error
}

// epoch is the origin of Proc.started: a process's start is kept as a
// monotonic offset from it, which keeps Proc within its allocation size
// class.
var epoch = time.Now()

// sinceEpoch returns the monotonic time since epoch.
func sinceEpoch() int64 { return int64(time.Since(epoch)) }

// startTime returns when p started.
func (p *Proc) startTime() time.Time { return epoch.Add(time.Duration(p.started)) }

// Proc is a live process as seen by its own code. Its methods must be
// called from the process's own goroutine (inside its Func or Handler)
// unless their doc says otherwise; other goroutines address a process
// through its [PID].
//
// A method called on a nil *Proc never panics: those with an error result
// return an error matching [ErrInvalidArgument], the others do nothing
// and return the zero value (Alive false, a closed Done channel, a done
// Context).
type Proc struct {
	// Proc is 256 bytes (an allocation size class) in four cache lines,
	// laid out so that the three hot groups never share a line: what
	// senders read on every send (line 0), the mailbox senders write
	// (line 1) and the owner's batch (line 2). Fields touched only at
	// spawn, link or death fill the rest, instead of padding; what only
	// some processes use (monitors, timers, exit hooks, a name, Done, a
	// bounded mailbox's settings, links beyond the first) lives behind
	// pointers. Every byte counts: a supervisor's restart allocates a
	// Proc, and in a fresh program every new page costs a page fault.
	// TestProcLayout checks it.

	// Line 0, read by senders on every send; written once or at death.
	node      *Node
	pid       PID
	h         Handler // a funcProc for a Func process
	dead      atomic.Bool
	trap      atomic.Bool
	wake      chan struct{} // func mode only
	behaviour *string       // the rt.Behaviour label; cold, written once at spawn

	// Line 1: written by senders.
	mb      mailbox
	started int64 // cold: monotonic nanoseconds since epoch (8 bytes, not a 24-byte time.Time)

	// Line 2: owned by the goroutine running the process; no lock.
	batch   []Msg
	pos     int
	lastTo  *Proc         // Send's cache of the last destination
	handled atomic.Uint64 // written by the owner only; read by Info
	// Cold, written once: the parent's PID number (a parent is always on
	// p's node; 0 for none) and the serial of the worker running p, for
	// zombie reports.
	parent uint64
	worker atomic.Uint64

	// Line 3: cold.
	ended  atomic.Bool // die is over: Done and the context are closed (set under mu)
	mu     sync.Mutex  // protects reason, links and more's fields but std and hasDone
	reason error
	links  pidSet
	more   atomic.Pointer[procMore] // made on first need, under mu
}

// procMore is what only some processes use: monitors, timers, exit
// hooks, a registered name, and the channel and context behind Done and
// Context. It is made on first need, under the process's mu, and kept for
// the process's life, so a process that uses none of them (a supervised
// worker that only handles messages) does not pay for them. Its fields
// are protected by the process's mu, except std and hasDone, which are
// read without it.
type procMore struct {
	monitors  map[Ref]PID // monitors this process holds: ref -> target
	watchers  map[Ref]PID // monitors on this process: ref -> watcher
	timers    map[uint64]*time.Timer
	exitHooks *exitHook // the hooks installed by onExit (rt.OnExit)
	name      string
	done      chan struct{} // Done's channel, made on first use
	std       atomic.Pointer[stdContext]
	hasDone   atomic.Bool // done is made (written once, under mu)
}

// moreLocked returns p's procMore, making it on first need; p.mu is held.
func (p *Proc) moreLocked() *procMore {
	m := p.more.Load()
	if m == nil {
		m = new(procMore)
		p.more.Store(m)
	}
	return m
}

// addMonitorLocked records that p monitors target with ref; p.mu is held.
func (p *Proc) addMonitorLocked(ref Ref, target PID) {
	m := p.moreLocked()
	if m.monitors == nil {
		m.monitors = make(map[Ref]PID, 2)
	}
	m.monitors[ref] = target
}

// takeMonitorLocked removes p's monitor ref and returns its target, if it
// was active; p.mu is held.
func (p *Proc) takeMonitorLocked(ref Ref) (PID, bool) {
	m := p.more.Load()
	if m == nil {
		return PID{}, false
	}
	target, ok := m.monitors[ref]
	delete(m.monitors, ref)
	return target, ok
}

// addWatcherLocked records that watcher monitors p with ref; p.mu is held.
func (p *Proc) addWatcherLocked(ref Ref, watcher PID) {
	m := p.moreLocked()
	if m.watchers == nil {
		m.watchers = make(map[Ref]PID, 2)
	}
	m.watchers[ref] = watcher
}

// dropWatcherLocked forgets the monitor ref on p; p.mu is held.
func (p *Proc) dropWatcherLocked(ref Ref) {
	if m := p.more.Load(); m != nil {
		delete(m.watchers, ref)
	}
}

// stdLoaded returns p's standard context if it is made, without locking.
func (p *Proc) stdLoaded() *stdContext {
	if m := p.more.Load(); m != nil {
		return m.std.Load()
	}
	return nil
}

// parentPID is p's parent, the zero PID for none.
func (p *Proc) parentPID() PID {
	if p.parent == 0 {
		return PID{}
	}
	return PID{node: p.pid.node, id: p.parent}
}

// procContext is a process's context. It is one pointer, so handing it
// out allocates nothing, and FromContext's key is answered directly. The
// rest (Done, Err with a cause, derived contexts) is a standard cancel
// context made the first time it is needed and cancelled at the
// process's death with the exit reason as its cause: a process whose code
// never waits on its context never pays for one. Done is that context's
// own channel, so a derived context (through any number of WithValue
// layers) attaches to it as to any cancel context: cancelled
// synchronously at the death, with no watching goroutine.
type procContext struct{ p *Proc }

// stdContext is the standard cancel context behind a process's context.
type stdContext struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// Deadline reports no deadline: a process lives until it dies.
func (c procContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns a channel closed when the process has died.
func (c procContext) Done() <-chan struct{} { return c.p.stdContext().ctx.Done() }

// Err returns context.Canceled once the process has died (nil before).
func (c procContext) Err() error {
	if sc := c.p.stdLoaded(); sc != nil {
		return sc.ctx.Err()
	}
	if c.p.ended.Load() {
		return context.Canceled // Done, made now, would be closed
	}
	return nil
}

// Value returns the process for FromContext's key. The context package
// finds a cancel context through a key of type *int (context.Cause, and a
// derived context looking for its parent's): those go to the standard
// context. No other key has a value here.
func (c procContext) Value(key any) any {
	switch key.(type) {
	case procKey:
		return c.p
	case *int:
		return c.p.stdContext().ctx.Value(key)
	}
	return nil
}

// String names the context after its process.
func (c procContext) String() string { return "process.Context(" + c.p.pid.String() + ")" }

// stdContext returns p's standard cancel context, making it on first use
// (already cancelled when p is dead).
func (p *Proc) stdContext() *stdContext {
	if sc := p.stdLoaded(); sc != nil {
		return sc
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.moreLocked()
	if sc := m.std.Load(); sc != nil {
		return sc
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	sc := &stdContext{ctx: ctx, cancel: cancel}
	if p.ended.Load() {
		cancel(p.reason)
	}
	m.std.Store(sc)
	return sc
}

type procKey struct{}

// PID returns the process's PID. Safe from any goroutine.
func (p *Proc) PID() PID {
	if p.unusable() {
		return PID{}
	}
	return p.pid
}

// Node returns the node the process runs on. Safe from any goroutine.
func (p *Proc) Node() *Node {
	if p.unusable() {
		return nil
	}
	return p.node
}

// Parent returns the PID of the process that spawned this one (zero for
// processes spawned from outside any process). Safe from any goroutine.
func (p *Proc) Parent() PID {
	if p.unusable() {
		return PID{}
	}
	return p.parentPID()
}

// Alive reports whether the process is still alive. Safe from any goroutine.
func (p *Proc) Alive() bool { return p != nil && !p.dead.Load() }

// Context returns a context cancelled the moment the process dies, with
// the exit reason as its cause ([context.Cause]). Blocking work in the
// process must select on it. [FromContext] recovers the process from it.
// Safe from any goroutine. The context of a nil *Proc is already
// cancelled.
func (p *Proc) Context() context.Context {
	if p.unusable() {
		return cancelledContext
	}
	return procContext{p}
}

// closedChan is the Done channel of a nil *Proc.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// cancelledContext is the context of a nil *Proc.
var cancelledContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// FromContext returns the process whose [Proc.Context] ctx derives from,
// if any.
func FromContext(ctx context.Context) (*Proc, bool) {
	if ctx == nil {
		return nil, false
	}
	p, ok := ctx.Value(procKey{}).(*Proc)
	return p, ok
}

// Done returns a channel closed when the process dies (a closed channel for
// a nil *Proc). Safe from any goroutine.
func (p *Proc) Done() <-chan struct{} {
	if p.unusable() {
		return closedChan
	}
	if m := p.more.Load(); m != nil && m.hasDone.Load() {
		return m.done
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.moreLocked()
	if m.done == nil {
		// One channel, not a whole context: calls and tasks wait on Done
		// for every process they talk to.
		m.done = make(chan struct{})
		if p.ended.Load() {
			close(m.done) // made after the death: die will not close it
		}
		m.hasDone.Store(true)
	}
	return m.done
}

// Reason returns the exit reason of a dead process, nil while it lives.
// Safe from any goroutine.
func (p *Proc) Reason() error {
	if p.unusable() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reason
}

// TrapExit turns exit trapping on or off and returns the previous setting.
// A trapping process receives exit signals as [Exit] messages instead of
// dying (except for [Kill]).
func (p *Proc) TrapExit(on bool) bool {
	if p.unusable() {
		return false
	}
	return p.trap.Swap(on)
}

// Send sends msg to the process to. It never blocks unless the target has a
// [BlockWhenFull] mailbox. Messages to a dead process are dropped and
// counted, as in Erlang; a PID of another node, or a full bounded mailbox,
// is an error. Messages from one process to another arrive in the order
// they were sent.
func (p *Proc) Send(to PID, msg Msg) error {
	if p.unusable() {
		return argerr.Nil("process: Proc.Send", "receiver")
	}
	if p.dead.Load() {
		p.node.dropped.Add(1)
		return nil
	}
	// The last destination is cached: a process usually sends to the same
	// peer again (a reply, a pipeline stage), and the cache skips the
	// node's table. PIDs are never reused, so a cached *Proc is exactly
	// that process; a dead one falls back to the table.
	if q := p.lastTo; q != nil && q.pid == to && !q.dead.Load() {
		return p.node.deliver(q, p.pid, msg, false)
	}
	if to.node == p.node.id && !to.IsZero() {
		if q := p.node.lookup(to); q != nil {
			p.lastTo = q
			return p.node.deliver(q, p.pid, msg, false)
		}
	}
	p.lastTo = nil
	return p.node.send(p.pid, to, msg)
}

// SendDest resolves dest and sends msg to it; an unregistered name is a
// *[NoProcError] with its Name, a nil dest an error matching
// [ErrInvalidArgument].
func (p *Proc) SendDest(dest Dest, msg Msg) error {
	if p.unusable() {
		return argerr.Nil("process: Proc.SendDest", "receiver")
	}
	if dest == nil {
		return argerr.Nil("process: Proc.SendDest", "dest")
	}
	pid, err := dest.Resolve()
	if err != nil {
		return err
	}
	return p.Send(pid, msg)
}

// Send sends msg to the process to from outside any process. See
// [Proc.Send] for the rules. Safe from any goroutine.
func (n *Node) Send(to PID, msg Msg) error {
	if n.unusable() {
		return badNode("process: Node.Send", "receiver", n)
	}
	return n.send(PID{}, to, msg)
}

// SendDest resolves dest and sends msg to it from outside any process. A
// nil dest is an error matching [ErrInvalidArgument].
func (n *Node) SendDest(dest Dest, msg Msg) error {
	if n.unusable() {
		return badNode("process: Node.SendDest", "receiver", n)
	}
	if dest == nil {
		return argerr.Nil("process: Node.SendDest", "dest")
	}
	pid, err := dest.Resolve()
	if err != nil {
		return err
	}
	return n.send(PID{}, pid, msg)
}

func (n *Node) send(from, to PID, msg Msg) error {
	if to.node != n.id || to.IsZero() {
		if r := n.remoteFor(to); r != nil {
			return r.Send(from, to, msg)
		}
		_, err := n.resolve(to)
		return err
	}
	q := n.lookup(to)
	if q == nil {
		if n.stopping.Load() && n.live.Load() == 0 {
			return ErrNodeStopped
		}
		n.dropped.Add(1)
		return nil
	}
	return n.deliver(q, from, msg, false)
}

// deliver puts m in p's mailbox; system messages (Exit, Down) ignore the
// mailbox bound.
func (n *Node) deliver(p *Proc, from PID, m Msg, system bool) error {
	return n.deliverTo(p, from, m, system, nil)
}

// deliverTo is deliver with an heir collector: h is not nil only for the
// signals of a process dying on its own worker. If the message makes p
// runnable and h has no heir yet, p becomes the heir, which that worker
// runs next, instead of being dispatched.
func (n *Node) deliverTo(p *Proc, from PID, m Msg, system bool, h *heir) error {
	dispatch, wake, dropped, full := p.mb.push(m, system, !p.isFunc())
	if full {
		return n.pushBounded(p, from, m)
	}
	if dispatch && h != nil && h.p == nil {
		h.p = p
		return nil
	}
	n.afterPush(p, dispatch, wake, dropped)
	return nil
}

func (n *Node) afterPush(p *Proc, dispatch, wake, dropped bool) {
	switch {
	case dropped:
		n.dropped.Add(1)
	case dispatch:
		n.pool.dispatch(p)
	case wake:
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// MailboxLen returns the number of messages waiting. Safe from any goroutine.
func (p *Proc) MailboxLen() int {
	if p.unusable() {
		return 0
	}
	return int(p.mb.queued.Load())
}

// Receive waits for the next message, until ctx is done or the process
// dies. Only [Func] processes may call it. A nil ctx is an error matching
// [ErrInvalidArgument].
func (p *Proc) Receive(ctx context.Context) (Msg, error) {
	return p.ReceiveMatch(ctx, nil)
}

// ReceiveMatch waits for the first message for which match returns true,
// leaving the others in the mailbox in order (Erlang's selective
// receive). A nil match takes any message. Only [Func] processes may call
// it.
func (p *Proc) ReceiveMatch(ctx context.Context, match func(Msg) bool) (Msg, error) {
	if p.unusable() {
		return nil, argerr.Nil("process: Proc.Receive", "receiver")
	}
	if ctx == nil {
		return nil, argerr.Nil("process: Proc.Receive", "ctx")
	}
	if !p.isFunc() {
		return nil, invalidOption("process: Proc.Receive", "receiver", "is a handler process, which receives through HandleMessage")
	}
	for {
		if m, ok := p.takeMatching(match); ok {
			return m, nil
		}
		mb := &p.mb
		mb.mu.Lock()
		if mb.closed {
			mb.mu.Unlock()
			return nil, p.notAlive()
		}
		if len(mb.in) > 0 {
			p.batch = append(p.batch, mb.in...)
			clear(mb.in)
			mb.in = mb.in[:0]
			mb.signalSpaceLocked()
			mb.mu.Unlock()
			continue
		}
		mb.waiting = true
		mb.mu.Unlock()
		select {
		case <-p.wake:
		case <-ctx.Done():
			mb.mu.Lock()
			mb.waiting = false
			mb.mu.Unlock()
			return nil, ctx.Err()
		}
	}
}

// ReceiveTimeout is Receive with a timeout instead of a context; it
// returns [context.DeadlineExceeded] when nothing arrived in time (at
// once for a d of zero or less, unless a message is waiting).
func (p *Proc) ReceiveTimeout(d time.Duration) (Msg, error) {
	if p.unusable() {
		return nil, argerr.Nil("process: Proc.ReceiveTimeout", "receiver")
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.Receive(ctx)
}

func (p *Proc) notAlive() error {
	return &NoProcError{PID: p.pid, Reason: p.Reason()}
}

func (p *Proc) takeMatching(match func(Msg) bool) (Msg, bool) {
	for i := p.pos; i < len(p.batch); i++ {
		m := p.batch[i]
		if match != nil && !match(m) {
			continue
		}
		if i == p.pos {
			p.batch[i] = nil
			p.pos++
		} else {
			copy(p.batch[i:], p.batch[i+1:])
			p.batch[len(p.batch)-1] = nil
			p.batch = p.batch[:len(p.batch)-1]
		}
		if p.pos == len(p.batch) {
			p.batch = p.batch[:0]
			p.pos = 0
		}
		p.mb.queued.Add(-1)
		p.mb.took()
		p.handled.Add(1) // Info.MessagesHandled counts receives of a Func process
		return m, true
	}
	return nil, false
}

// refill takes the senders' slice as the new batch. It returns false when
// there is nothing more to run; closed tells whether the process died.
// When it returns false the process no longer belongs to this goroutine.
func (p *Proc) refill() (ok, closed bool) {
	mb := &p.mb
	mb.mu.Lock()
	if mb.closed || len(mb.in) == 0 {
		closed = mb.closed
		if cap(p.batch) > shrinkCap {
			p.batch = nil
		} else {
			p.batch = p.batch[:0]
		}
		if cap(mb.in) > shrinkCap {
			mb.in = nil
		}
		p.pos = 0
		mb.running = false
		mb.mu.Unlock()
		return false, closed
	}
	old := p.batch[:0]
	p.batch, mb.in = mb.in, old
	p.pos = 0
	mb.signalSpaceLocked()
	mb.mu.Unlock()
	return true, false
}

// unusable reports a nil Proc, or a zero one declared as a value instead
// of handed to process code by the runtime: both are bad input to every
// method (docs/ERRORS.md).
func (p *Proc) unusable() bool { return p == nil || p.node == nil }
