package monitors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/periodic"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Manager keeps tagged monitors taken on behalf of processes. All its
// methods are safe from any goroutine. Create it with [New]. A nil or
// zero *Manager refuses every call with an error matching
// [ErrInvalidArgument], and its getters return zero values.
type Manager struct {
	node    *process.Node
	cfg     config
	tel     *telemetry.Registry
	refs    []refShard
	pids    []pidShard
	exited  func(process.PID, error) // m.onExit, bound once
	nextRef atomic.Uint64            // the last Ref's id; orders List and FindLeaks
	leaked  atomic.Uint64
	dropped atomic.Uint64 // Downs a mailbox refused
	mu      sync.Mutex    // protects checker
	checker periodic.Slot // the leak-check process, if any was started
	closed  atomic.Bool
}

// refShard holds the monitors whose ref id maps to it (id modulo the
// number of shards).
type refShard struct {
	mu          sync.Mutex        // protects the fields below
	entries     map[uint64]*entry // by Ref id
	created     uint64
	cleaned     uint64
	demonitored uint64
	_           [64]byte
}

// entry is one monitor. Its fields are immutable but the ones marked.
type entry struct {
	ref     Ref
	caller  process.PID
	target  process.PID
	tag     string
	created time.Time
	flagged bool        // reported as a leak; protected by its ref shard's mu
	removed atomic.Bool // set by take, under its ref shard's mu
	// byCaller and byTarget link the entry into the lists of its caller
	// and its target (one list when they are the same process).
	byCaller, byTarget link
}

// pidShard indexes monitors by the processes they involve.
type pidShard struct {
	mu      sync.Mutex          // protects watched and every list of its processes
	watched map[uint64]*watched // by PID id: every PID is of m.node
	_       [64]byte
}

// watched is what the manager knows about one process: one exit hook and
// one intrusive list of the monitors it is the caller or the target of,
// so adding and removing a monitor hashes nothing.
type watched struct {
	pid  process.PID
	hook rt.ExitHook
	head *link
}

// link is an entry's place in one process's list; protected by that
// process's pid shard mu.
type link struct {
	e          *entry
	w          *watched // nil when not in a list
	prev, next *link
}

// outcome says why a monitor leaves the table, for the counters.
type outcome int

const (
	outCleaned outcome = iota
	outDemonitored
	outRollback
)

// New creates a manager on node and starts its leak-check process there
// (a root process of node: it stops with the node, or with Close), unless
// [WithoutChecker] asks for none, so that a supervisor can own it (see
// [Manager.ChildSpec]). It fails with an error matching
// [ErrInvalidOption] (and [ErrInvalidArgument]) for a nil node or a bad
// option, with process.ErrNodeStopped for a stopped node (nothing is
// created), and with the node's error if the process cannot be spawned.
func New(node *process.Node, opts ...Option) (*Manager, error) {
	const op = "monitors: New"
	if node == nil {
		return nil, invalidOption(op, "node", "is nil")
	}
	var cfg config
	for i, o := range opts {
		if o == nil {
			return nil, invalidOption(op, fmt.Sprintf("opts[%d]", i), "is nil")
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if node.Stopped() {
		return nil, process.ErrNodeStopped
	}
	cfg.withDefaults(node)
	m := &Manager{
		node: node,
		cfg:  cfg,
		tel:  cfg.telemetry,
		refs: make([]refShard, cfg.shards),
		pids: make([]pidShard, cfg.shards),
	}
	for i := range m.refs {
		m.refs[i].entries = make(map[uint64]*entry)
		m.pids[i].watched = make(map[uint64]*watched)
	}
	m.exited = m.onExit
	if !cfg.noChecker {
		if _, err := m.Start(node); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// usable reports whether m was made by New.
func (m *Manager) usable() bool { return m != nil && len(m.refs) > 0 }

func (m *Manager) refShard(ref Ref) *refShard {
	return &m.refs[ref.id%uint64(len(m.refs))]
}

func (m *Manager) pidShard(pid process.PID) *pidShard {
	return &m.pids[pid.ID()%uint64(len(m.pids))]
}

// Monitor makes caller monitor target under tag and returns the
// monitor's ref. When target dies, caller receives a [Down] carrying ref,
// target, tag and the exit reason, and the monitor is gone; when caller
// dies first, the monitor is removed silently. If target is already dead
// (or unknown), Monitor still returns a ref and caller receives a Down
// with reason process.NoProc at once, as with OTP's monitor/2. Monitoring
// oneself (caller == target) is allowed and never fires.
//
// Monitor fails with a *[CallerError] when caller is the zero PID, dead
// or on another node, with process.ErrInvalidPID for a zero target, a
// *process.WrongNodeError for a target of another node, and with
// [ErrClosed] after Close. A zero caller or target, and a nil Manager, are
// bad input: the error matches [ErrInvalidArgument] as well. The tag may
// be empty. It does not wait for anything but the manager's shard locks.
func (m *Manager) Monitor(caller, target process.PID, tag string) (Ref, error) {
	const op = "monitors: Manager.Monitor"
	if !m.usable() {
		return Ref{}, argerr.Nil(op, "receiver")
	}
	if m.closed.Load() {
		return Ref{}, ErrClosed
	}
	if caller.IsZero() {
		return Ref{}, &CallerError{Caller: caller, Reason: invalid(process.ErrInvalidPID, op, "caller", "is the zero PID")}
	}
	if target.IsZero() {
		return Ref{}, invalid(process.ErrInvalidPID, op, "target", "is the zero PID")
	}
	if caller.Node() != m.node.ID() {
		return Ref{}, &CallerError{Caller: caller, Reason: &process.WrongNodeError{PID: caller, Node: m.node.ID()}}
	}
	if target.Node() != m.node.ID() {
		return Ref{}, &process.WrongNodeError{PID: target, Node: m.node.ID()}
	}
	e := &entry{ref: Ref{id: m.nextRef.Add(1)}, caller: caller, target: target, tag: tag, created: time.Now()}
	e.byCaller.e, e.byTarget.e = e, e
	// The entry goes in first, so an exit hook of caller or target that
	// runs while the lists are being written finds it.
	m.insert(e)
	if err := m.track(caller, &e.byCaller); err != nil {
		m.takeEntry(e, outRollback)
		return Ref{}, &CallerError{Caller: caller, Reason: err}
	}
	if target != caller {
		if err := m.track(target, &e.byTarget); err != nil {
			return m.targetFailed(e, err)
		}
	}
	if e.removed.Load() {
		// A death removed it while the lists were being written; its hook
		// may have missed a link written after it ran.
		m.untrack(caller, &e.byCaller)
		m.untrack(target, &e.byTarget)
	}
	m.emitCreated(e)
	return e.ref, nil
}

// targetFailed handles a target that could not be watched: a dead target
// gets OTP's immediate Down{NoProc}; any other error undoes the monitor.
func (m *Manager) targetFailed(e *entry, err error) (Ref, error) {
	var np *process.NoProcError
	if !errors.As(err, &np) {
		if m.takeEntry(e, outRollback) {
			m.untrack(e.caller, &e.byCaller)
		}
		return Ref{}, err
	}
	m.emitCreated(e)
	if m.takeEntry(e, outCleaned) {
		m.untrack(e.caller, &e.byCaller)
		m.notify(e, process.NoProc)
		m.emitCleaned(e, CauseNoProc, process.NoProc)
	}
	return e.ref, nil
}

// Demonitor removes the monitor ref. It fails with a *[NotFoundError]
// (matching [ErrNotFound]) when ref names no active monitor: never made
// by this manager, already removed, or already fired (then its Down is
// in, or on its way to, the caller's mailbox; the manager cannot flush
// another process's mailbox). After Close it returns [ErrClosed]. The
// zero Ref, which names no monitor, and a nil Manager are bad input: the
// error matches [ErrInvalidArgument] (for the zero Ref it is a
// *[NotFoundError] as well).
func (m *Manager) Demonitor(ref Ref) error {
	const op = "monitors: Manager.Demonitor"
	if !m.usable() {
		return argerr.Nil(op, "receiver")
	}
	if m.closed.Load() {
		return ErrClosed
	}
	e := m.take(ref, outDemonitored)
	if e == nil {
		return &NotFoundError{Ref: ref}
	}
	m.untrack(e.caller, &e.byCaller)
	m.untrack(e.target, &e.byTarget)
	m.emitDemonitored(e)
	return nil
}

func (m *Manager) insert(e *entry) {
	rs := m.refShard(e.ref)
	rs.mu.Lock()
	rs.entries[e.ref.id] = e
	rs.created++
	rs.mu.Unlock()
}

// take removes the monitor ref and counts its removal; it returns nil when
// there is none, so of two concurrent removals exactly one wins.
func (m *Manager) take(ref Ref, out outcome) *entry {
	rs := m.refShard(ref)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	e := rs.entries[ref.id]
	if e == nil {
		return nil
	}
	rs.removeLocked(e, out)
	return e
}

// takeEntry is take for a known entry: it reports whether this call
// removed it.
func (m *Manager) takeEntry(e *entry, out outcome) bool {
	rs := m.refShard(e.ref)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if e.removed.Load() {
		return false
	}
	rs.removeLocked(e, out)
	return true
}

func (rs *refShard) removeLocked(e *entry, out outcome) {
	delete(rs.entries, e.ref.id)
	e.removed.Store(true)
	switch out {
	case outCleaned:
		rs.cleaned++
	case outDemonitored:
		rs.demonitored++
	case outRollback:
		rs.created--
	}
}

// track puts l in pid's list, installing pid's exit hook the first time
// pid is in a monitor. It fails (with a *process.NoProcError for a dead
// pid) only when a hook is needed and cannot be installed.
func (m *Manager) track(pid process.PID, l *link) error {
	ps := m.pidShard(pid)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	w := ps.watched[pid.ID()]
	if w == nil {
		// An existing entry means pid's hook has not run yet: even if pid
		// is dying, the hook will see l.
		hook, err := rt.OnExit(m.node, pid, m.exited)
		if err != nil {
			return err
		}
		w = &watched{pid: pid, hook: hook}
		ps.watched[pid.ID()] = w
	}
	l.w, l.prev, l.next = w, nil, w.head
	if w.head != nil {
		w.head.prev = l
	}
	w.head = l
	return nil
}

// untrack takes l out of its process's list, if it is in one. The
// process's hook and index entry stay when the list becomes empty: a
// process monitored once is usually monitored again (a server's callers,
// a worker's supervisor), and reinstalling a hook per monitor would cost
// allocations on the hot path. They go when the process dies or the
// manager is closed, so they are bounded by the live processes.
func (m *Manager) untrack(pid process.PID, l *link) {
	ps := m.pidShard(pid)
	ps.mu.Lock()
	if w := l.w; w != nil {
		if l.prev != nil {
			l.prev.next = l.next
		} else {
			w.head = l.next
		}
		if l.next != nil {
			l.next.prev = l.prev
		}
		l.w, l.prev, l.next = nil, nil, nil
	}
	ps.mu.Unlock()
}

// detach removes pid from the index and returns the entries of its list,
// unlinking them all.
func (m *Manager) detach(pid process.PID) []*entry {
	ps := m.pidShard(pid)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	w := ps.watched[pid.ID()]
	if w == nil {
		return nil
	}
	delete(ps.watched, pid.ID())
	var es []*entry
	for l := w.head; l != nil; {
		next := l.next
		es = append(es, l.e)
		l.w, l.prev, l.next = nil, nil, nil
		l = next
	}
	w.head = nil
	return es
}

// onExit is the exit hook of every watched process: it removes each
// monitor pid is the caller or the target of, and notifies the callers
// of the monitors whose target pid was.
func (m *Manager) onExit(pid process.PID, reason error) {
	for _, e := range m.detach(pid) {
		if !m.takeEntry(e, outCleaned) {
			continue // demonitored, or removed by the other side's death
		}
		if e.caller == pid {
			if e.target != pid {
				m.untrack(e.target, &e.byTarget)
			}
			m.emitCleaned(e, CauseCallerDown, reason)
			continue
		}
		m.untrack(e.caller, &e.byCaller)
		m.notify(e, reason)
		m.emitCleaned(e, CauseTargetDown, reason)
	}
}

// notify sends the caller its Down. A refusal (bounded mailbox) is
// counted and reported; a dead caller's message is dropped and counted by
// the node.
func (m *Manager) notify(e *entry, reason error) {
	err := m.node.Send(e.caller, Down{Ref: e.ref, Target: e.target, Tag: e.tag, Reason: reason})
	if err != nil {
		m.dropped.Add(1)
		m.emitUndelivered(e, err)
	}
}

// DefaultCloseTimeout bounds [Manager.Close]'s wait for the leak-check
// process to die.
const DefaultCloseTimeout = 5 * time.Second

// Close is CloseContext bounded by [DefaultCloseTimeout].
func (m *Manager) Close() error {
	if !m.usable() {
		return argerr.Nil("monitors: Manager.Close", "receiver")
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCloseTimeout)
	defer cancel()
	return m.CloseContext(ctx)
}

// CloseContext stops the leak-check process and removes every monitor
// and exit hook, without notifying anyone; the removed monitors are
// counted as demonitored. It waits for the leak-check process to be dead
// (not for its goroutine to return), bounded by ctx: if it is still alive
// then, the monitors are removed all the same and CloseContext returns a
// *[CloseTimeoutError] naming it. Later calls, and Monitor and Demonitor
// afterwards, return [ErrClosed]. A nil ctx or a nil Manager is an error
// matching [ErrInvalidArgument], and closes nothing.
func (m *Manager) CloseContext(ctx context.Context) error {
	const op = "monitors: Manager.CloseContext"
	if !m.usable() {
		return argerr.Nil(op, "receiver")
	}
	if ctx == nil {
		return argerr.Nil(op, "ctx")
	}
	if m.closed.Swap(true) {
		return ErrClosed
	}
	err := m.stopChecker(ctx)
	m.removeAll()
	return err
}

// removeAll cancels every exit hook and forgets every monitor.
func (m *Manager) removeAll() {
	for i := range m.pids {
		ps := &m.pids[i]
		ps.mu.Lock()
		for _, w := range ps.watched {
			w.hook.Cancel()
		}
		clear(ps.watched)
		ps.mu.Unlock()
	}
	for i := range m.refs {
		rs := &m.refs[i]
		rs.mu.Lock()
		rs.demonitored += uint64(len(rs.entries))
		clear(rs.entries)
		rs.mu.Unlock()
	}
}
