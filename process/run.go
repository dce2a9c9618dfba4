package process

import (
	"context"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// pool is the runtime's only spawn path: a set of worker goroutines that
// run processes. An idle process holds no goroutine; when a message makes
// it runnable, an idle worker takes it (a direct channel hand-off, which
// Go schedules on the sender's P) or a new worker starts. A worker that
// finishes a process runs that process's heir, if its death made one
// runnable (see heir), and otherwise parks itself for reuse, keeping its
// grown stack, so a deep handler pays for its stack once.
type pool struct {
	node    *Node
	max     int
	workers atomic.Int64
	// nodeLabel is the node's id, the orchard.node label of its workers.
	nodeLabel string
	exited    chan struct{} // closed when workers reach 0 after close

	mu     sync.Mutex // protects the fields below
	idle   []*worker
	closed bool
}

type worker struct {
	pool   *pool
	ch     chan *Proc
	serial uint64 // the worker's number, its workerLabel
}

// workerSerials numbers the workers of all nodes: a number names one
// goroutine in the process's goroutine profile.
var workerSerials atomic.Uint64

// workerLabel is the pprof label that names a worker goroutine.
const workerLabel = "orchard.worker"

func (pl *pool) init(n *Node, max int) {
	pl.node = n // its nodeLabel is set once NewNode numbered n
	pl.max = max
	pl.exited = make(chan struct{})
}

// dispatch runs p on a worker. It never blocks.
func (pl *pool) dispatch(p *Proc) {
	pl.mu.Lock()
	if k := len(pl.idle); k > 0 {
		w := pl.idle[k-1]
		pl.idle[k-1] = nil
		pl.idle = pl.idle[:k-1]
		pl.mu.Unlock()
		w.ch <- p
		return
	}
	if pl.closed {
		pl.mu.Unlock()
		if !p.die(ErrNodeStopped, true) {
			p.node.zombies.release(p) // a kill got there first
		}
		return
	}
	pl.workers.Add(1)
	pl.mu.Unlock()
	w := &worker{pool: pl, ch: make(chan *Proc, 1)}
	go w.loop(p)
}

// park returns w to the idle list; false means the worker must exit.
func (pl *pool) park(w *worker) bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closed || len(pl.idle) >= pl.max {
		return false
	}
	pl.idle = append(pl.idle, w)
	return true
}

func (pl *pool) exit() {
	if pl.workers.Add(-1) == 0 {
		pl.mu.Lock()
		if pl.closed {
			pl.closeExited()
		}
		pl.mu.Unlock()
	}
}

// closeExited closes exited once; the caller holds mu (drain and the last
// worker's exit may both get here).
func (pl *pool) closeExited() {
	select {
	case <-pl.exited:
	default:
		close(pl.exited)
	}
}

// drain stops idle workers and waits, up to d or ctx, for busy ones.
func (pl *pool) drain(ctx context.Context, d time.Duration) {
	pl.mu.Lock()
	pl.closed = true
	idle := pl.idle
	pl.idle = nil
	pl.mu.Unlock()
	for _, w := range idle {
		w.ch <- nil
	}
	if pl.workers.Load() == 0 {
		pl.mu.Lock()
		pl.closeExited()
		pl.mu.Unlock()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-pl.exited:
	case <-t.C:
	case <-ctx.Done():
	}
}

func (w *worker) loop(p *Proc) {
	defer w.pool.exit()
	// The worker's labels name its node and the worker itself: a zombie
	// report finds the goroutine running a process by its worker label
	// in the goroutine profile (cheaper, at every new worker, than
	// reading the goroutine's id from a stack trace).
	w.serial = workerSerials.Add(1)
	nodeLabels := pprof.WithLabels(context.Background(), pprof.Labels(
		"orchard.node", w.pool.nodeLabel, workerLabel, strconv.FormatUint(w.serial, 10)))
	pprof.SetGoroutineLabels(nodeLabels)
	perProcess := w.pool.node.cfg.processLabels
	for p != nil {
		p.worker.Store(w.serial)
		if perProcess {
			pprof.SetGoroutineLabels(pprof.WithLabels(nodeLabels,
				pprof.Labels("orchard.pid", p.pid.String(), "orchard.behaviour", p.behaviourName())))
		}
		next := p.run()
		// Back to the worker's own labels, also after process code that
		// changed them (pprof.Do restores its context's labels, which
		// are not the worker's): a zombie report looks for them.
		pprof.SetGoroutineLabels(nodeLabels)
		if next != nil && w.pool.keep(next) {
			p = next // p's death made next runnable: run it here (see heir)
			continue
		}
		if !w.pool.park(w) {
			return
		}
		p = <-w.ch
	}
}

// keep reports whether a worker may run p, the heir of the process it
// ran, itself; once the pool is closed, p is ended as dispatch would.
// That branch is defensive: Node.Stop kills every process before it
// closes the pool, so a death that makes an heir runs before it.
func (pl *pool) keep(p *Proc) bool {
	pl.mu.Lock()
	closed := pl.closed
	pl.mu.Unlock()
	if closed {
		pl.dispatch(p)
	}
	return !closed
}

// run runs p until its mailbox is empty or it ends, and returns the heir
// of its death, if any, which the caller must run or dispatch.
func (p *Proc) run() *Proc {
	if fn, ok := p.h.(funcProc); ok {
		return p.runFunc(fn)
	}
	return p.runHandler()
}

// endOnWorker ends p, whose code returned reason on its own worker, and
// returns the death's heir.
func (p *Proc) endOnWorker(reason error) *Proc {
	died, next := p.dieOnWorker(reason)
	if !died {
		p.node.zombies.release(p)
	}
	p.dropBatch()
	return next
}

func (p *Proc) runFunc(fn funcProc) *Proc {
	return p.endOnWorker(p.call(func() error { return fn(p) }))
}

func (p *Proc) runHandler() *Proc {
	// For unbounded mailboxes the queued counter is settled once per batch
	// rather than per message, so the owner does not write a shared
	// counter on every message; MailboxLen may then count messages of the
	// current batch that were already handled.
	if p.mb.starting {
		p.mb.starting = false
		if ok, next := p.runStart(); !ok {
			return next
		}
	}
	perMessage := p.mb.bound != nil
	done := 0
	settle := func() {
		if done > 0 {
			if !perMessage {
				p.mb.queued.Add(int64(-done))
			}
			done = 0
		}
	}
	defer settle()
	for {
		if p.pos >= len(p.batch) {
			settle()
			ok, closed := p.refill()
			if !ok {
				if closed {
					p.node.zombies.release(p)
				}
				return nil
			}
		}
		m := p.batch[p.pos]
		p.batch[p.pos] = nil
		p.pos++
		if perMessage {
			p.mb.queued.Add(-1)
			p.mb.took()
		}
		if p.dead.Load() {
			p.node.dropped.Add(1)
			if !perMessage {
				p.mb.queued.Add(-1)
			}
			p.dropBatch()
			p.node.zombies.release(p)
			return nil
		}
		err := p.call(func() error { return p.handle(m) })
		done++
		p.handled.Add(1)
		if err != nil {
			settle()
			return p.endOnWorker(err)
		}
	}
}

// dropBatch counts the messages a dead process's goroutine still holds
// (taken from the mailbox but never handled) as dropped, as mailbox.close
// does for those still queued: nothing is lost silently (docs/ERRORS.md).
func (p *Proc) dropBatch() {
	if k := len(p.batch) - p.pos; k > 0 {
		p.node.dropped.Add(uint64(k))
		p.mb.queued.Add(int64(-k))
	}
	clear(p.batch)
	p.batch = p.batch[:0]
	p.pos = 0
}

// runStart runs a Starter's HandleStart, before any message. It reports
// whether the process lives on, and if not, the heir of its death.
func (p *Proc) runStart() (alive bool, next *Proc) {
	if p.dead.Load() { // killed before it ran: its mailbox was dropped
		p.node.zombies.release(p)
		return false, nil
	}
	err := p.call(func() error { return p.h.(Starter).HandleStart(p) })
	p.handled.Add(1)
	if err != nil {
		return false, p.endOnWorker(err)
	}
	return true, nil
}

func (p *Proc) handle(m Msg) error { return p.h.HandleMessage(p, m) }

// call runs process code and turns a panic into the exit reason.
//
// Why recover at all: supervision needs the panic as a value (the child's
// exit reason) so the tree can restart the child instead of losing the
// whole program, as errgroup does for its goroutines. We keep the panic
// value and the stack of the panicking goroutine, captured into a fixed
// 64 KiB buffer as net/http does. Config.PanicPassThrough turns this off for
// debugging.
func (p *Proc) call(fn func() error) (err error) {
	if !p.node.cfg.panicPassThrough {
		defer func() {
			if r := recover(); r != nil {
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				err = &PanicError{Value: r, Stack: buf}
			}
		}()
	}
	return fn()
}
