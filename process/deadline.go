package process

import (
	"context"
	"math/rand/v2"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// Expirer is told that its deadline passed. Expire runs on the node's
// deadline goroutine and must not block.
type Expirer interface {
	Expire()
}

// Deadline is a timeout record for hot paths such as calls. Embed it in
// the object that waits and register it with [Node.StartDeadline]: there
// is no runtime timer per wait (blocking on a timer channel costs more
// than the call it guards); one goroutine per node sweeps the deadlines
// and calls Expire on those that passed. A Deadline fires at or a little
// after its time, never before.
type Deadline struct {
	at    int64 // nanoseconds on the node's monotonic clock
	exp   Expirer
	shard int32
	idx   int32 // position in its shard; -1 when not registered
}

const deadlineShards = 8

type deadlineShard struct {
	mu      sync.Mutex // protects entries
	entries []*Deadline
	_       [40]byte
}

// deadlines is the node's sweeper state.
type deadlines struct {
	base   time.Time // the node's clock origin
	shards [deadlineShards]deadlineShard
	target atomic.Int64 // when the sweeper will next wake; max when idle
	kick   chan struct{}
	stop   chan struct{}
	exited chan struct{}

	startMu sync.Mutex // protects started
	started bool
}

const never = int64(^uint64(0) >> 1)

func (ds *deadlines) init() {
	ds.base = time.Now()
	ds.target.Store(never)
	ds.kick = make(chan struct{}, 1)
	ds.stop = make(chan struct{})
	ds.exited = make(chan struct{})
}

func (ds *deadlines) now() int64 { return int64(time.Since(ds.base)) }

// StartDeadline registers d to expire after timeout, calling e.Expire
// then. A registered d must be stopped with StopDeadline before it is
// reused. Safe from any goroutine.
//
// StartDeadline has no error result, so bad input is handled so that no
// waiter is stuck: with a nil e it does nothing; with a nil node or a nil
// d (nothing to register), e expires at once, as it does on a stopped
// node.
func (n *Node) StartDeadline(d *Deadline, timeout time.Duration, e Expirer) {
	if e == nil {
		return
	}
	if n == nil || d == nil {
		e.Expire()
		return
	}
	ds := &n.deadlines
	if n.gone.Load() {
		e.Expire() // no sweeper after Stop: expire now rather than never
		d.idx = -1
		return
	}
	now := ds.now()
	d.at = never // saturate: a huge timeout must not wrap around
	if int64(timeout) < never-now {
		d.at = now + int64(timeout)
	}
	d.exp = e
	d.shard = int32(rand.Uint32N(deadlineShards))
	s := &ds.shards[d.shard]
	s.mu.Lock()
	d.idx = int32(len(s.entries))
	s.entries = append(s.entries, d)
	s.mu.Unlock()
	if d.at < ds.target.Load() {
		n.wakeSweeper()
	}
}

// StopDeadline unregisters d. It reports whether d was still pending
// (false if it already expired, and for a nil node or d). Safe from any
// goroutine.
func (n *Node) StopDeadline(d *Deadline) bool {
	if n == nil || d == nil {
		return false
	}
	s := &n.deadlines.shards[d.shard]
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeLocked(d)
}

func (s *deadlineShard) removeLocked(d *Deadline) bool {
	i := int(d.idx)
	if i < 0 || i >= len(s.entries) || s.entries[i] != d {
		return false
	}
	last := len(s.entries) - 1
	s.entries[i] = s.entries[last]
	s.entries[i].idx = int32(i)
	s.entries[last] = nil
	s.entries = s.entries[:last]
	d.idx = -1
	return true
}

func (n *Node) wakeSweeper() {
	ds := &n.deadlines
	ds.startMu.Lock()
	if !ds.started {
		if n.gone.Load() {
			ds.startMu.Unlock()
			return
		}
		ds.started = true
		ds.startMu.Unlock()
		go n.sweep() // the node's deadline goroutine; Stop joins it
		return
	}
	ds.startMu.Unlock()
	select {
	case ds.kick <- struct{}{}:
	default:
	}
}

// sweep is the deadline goroutine: it expires what is due, then sleeps
// until the earliest remaining deadline or a kick.
func (n *Node) sweep() {
	// Started from whatever goroutine first needed it, often a worker:
	// drop the labels it inherited, so it is not taken for that worker.
	pprof.SetGoroutineLabels(context.Background())
	ds := &n.deadlines
	defer close(ds.exited)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		// While it scans, the sweeper's target is "never", so a deadline
		// registered meanwhile kicks it and is seen on the next round.
		ds.target.Store(never)
		next := ds.expireDue()
		ds.target.Store(next)
		var timerC <-chan time.Time
		if next != never {
			t.Reset(time.Duration(next - ds.now()))
			timerC = t.C
		}
		select {
		case <-timerC:
		case <-ds.kick:
		case <-ds.stop:
			return
		}
	}
}

// expireDue fires every passed deadline and returns the earliest left.
func (ds *deadlines) expireDue() int64 {
	now := ds.now()
	next := never
	var due []*Deadline
	for i := range ds.shards {
		s := &ds.shards[i]
		s.mu.Lock()
		for j := 0; j < len(s.entries); {
			d := s.entries[j]
			if d.at <= now {
				s.removeLocked(d)
				due = append(due, d)
				continue
			}
			next = min(next, d.at)
			j++
		}
		s.mu.Unlock()
	}
	for _, d := range due {
		d.exp.Expire()
	}
	return next
}

// stopSweeper ends the deadline goroutine, if it runs, and waits for it.
func (n *Node) stopSweeper() {
	ds := &n.deadlines
	ds.startMu.Lock()
	started := ds.started
	ds.started = true // no start after this
	ds.startMu.Unlock()
	if started {
		close(ds.stop)
		<-ds.exited
	}
}
