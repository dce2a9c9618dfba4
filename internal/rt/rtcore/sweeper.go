package rtcore

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
// the object that waits and register it with a node's sweeper (rt.StartDeadline):
// there is no runtime timer per wait (blocking on a timer channel costs
// more than the call it guards); one goroutine per node sweeps the
// deadlines and calls Expire on those that passed. A Deadline fires at or
// a little after its time, never before.
type Deadline struct {
	at    int64 // nanoseconds on the sweeper's monotonic clock
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

// Sweeper is a node's deadline state: the registered deadlines and the
// goroutine that expires them. Package process embeds one in each node.
// The zero Sweeper is not usable; call Init.
type Sweeper struct {
	base   time.Time // the node's clock origin
	shards [deadlineShards]deadlineShard
	target atomic.Int64 // when the sweeper will next wake; max when idle
	kick   chan struct{}
	stop   chan struct{}
	exited chan struct{}
	spawn  func(run func())
	closed atomic.Bool // set by Close: deadlines expire at once

	startMu sync.Mutex // protects started
	started bool
}

const never = int64(^uint64(0) >> 1)

// Init prepares s. spawn starts run on a new goroutine; it is called once,
// when the first deadline is registered (package process owns every
// goroutine of the runtime, so it starts this one too).
func (s *Sweeper) Init(spawn func(run func())) {
	s.base = time.Now()
	s.target.Store(never)
	s.kick = make(chan struct{}, 1)
	s.stop = make(chan struct{})
	s.exited = make(chan struct{})
	s.spawn = spawn
}

func (s *Sweeper) now() int64 { return int64(time.Since(s.base)) }

// Now returns the sweeper's clock: nanoseconds since its origin, the
// clock a Deadline's At is on (never for a nil s, so that nothing counts
// as due). It reads the clock once.
func (s *Sweeper) Now() int64 {
	if s == nil {
		return never
	}
	return s.now()
}

// ClockOf returns t on the sweeper's clock, without reading the clock (0
// for a nil s); a t far off saturates.
func (s *Sweeper) ClockOf(t time.Time) int64 {
	if s == nil {
		return 0
	}
	return int64(t.Sub(s.base)) // Sub saturates
}

// Time returns the clock time of at, a time on the sweeper's clock (the
// zero time for a nil s). It costs no clock reading.
func (s *Sweeper) Time(at int64) time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.base.Add(time.Duration(at))
}

// At returns when d expires, on the clock of the sweeper it was
// registered with ([Sweeper.Now]). It reads only what Start wrote, so the
// goroutine that registered d, or one it handed d to afterwards, may call
// it without a lock.
func (d *Deadline) At() int64 { return d.at }

// Start registers d to expire after timeout, calling e.Expire then. A
// registered d must be stopped with Stop before it is reused. Safe from
// any goroutine.
//
// Start has no error result, so bad input is handled so that no waiter is
// stuck: with a nil e it does nothing; with a nil s (a nil node) or a nil
// d (nothing to register), e expires at once, as it does after Close.
func (s *Sweeper) Start(d *Deadline, timeout time.Duration, e Expirer) {
	if e == nil {
		return
	}
	if s == nil || d == nil {
		e.Expire()
		return
	}
	if s.closed.Load() {
		d.at = s.now()
		e.Expire() // no sweeper after Close: expire now rather than never
		d.idx = -1
		return
	}
	now := s.now()
	d.at = never // saturate: a huge timeout must not wrap around
	if int64(timeout) < never-now {
		d.at = now + int64(timeout)
	}
	d.exp = e
	d.shard = int32(rand.Uint32N(deadlineShards))
	sh := &s.shards[d.shard]
	sh.mu.Lock()
	d.idx = int32(len(sh.entries))
	sh.entries = append(sh.entries, d)
	sh.mu.Unlock()
	if d.at < s.target.Load() {
		s.wake()
	}
}

// Stop unregisters d. It reports whether d was still pending (false if
// it already expired, and for a nil s or d). Safe from any goroutine.
func (s *Sweeper) Stop(d *Deadline) bool {
	if s == nil || d == nil {
		return false
	}
	sh := &s.shards[d.shard]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.removeLocked(d)
}

func (sh *deadlineShard) removeLocked(d *Deadline) bool {
	i := int(d.idx)
	if i < 0 || i >= len(sh.entries) || sh.entries[i] != d {
		return false
	}
	last := len(sh.entries) - 1
	sh.entries[i] = sh.entries[last]
	sh.entries[i].idx = int32(i)
	sh.entries[last] = nil
	sh.entries = sh.entries[:last]
	d.idx = -1
	return true
}

func (s *Sweeper) wake() {
	s.startMu.Lock()
	if !s.started {
		if s.closed.Load() {
			s.startMu.Unlock()
			return
		}
		s.started = true
		s.startMu.Unlock()
		s.spawn(s.run) // the node's deadline goroutine; Close joins it
		return
	}
	s.startMu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// run is the deadline goroutine: it expires what is due, then sleeps
// until the earliest remaining deadline or a kick.
func (s *Sweeper) run() {
	// Started from whatever goroutine first needed it, often a worker:
	// drop the labels it inherited, so it is not taken for that worker.
	pprof.SetGoroutineLabels(context.Background())
	defer close(s.exited)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		// While it scans, the sweeper's target is "never", so a deadline
		// registered meanwhile kicks it and is seen on the next round.
		s.target.Store(never)
		next := s.expireDue()
		s.target.Store(next)
		var timerC <-chan time.Time
		if next != never {
			t.Reset(time.Duration(next - s.now()))
			timerC = t.C
		}
		select {
		case <-timerC:
		case <-s.kick:
		case <-s.stop:
			return
		}
	}
}

// expireDue fires every passed deadline and returns the earliest left.
func (s *Sweeper) expireDue() int64 {
	now := s.now()
	next := never
	var due []*Deadline
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for j := 0; j < len(sh.entries); {
			d := sh.entries[j]
			if d.at <= now {
				sh.removeLocked(d)
				due = append(due, d)
				continue
			}
			next = min(next, d.at)
			j++
		}
		sh.mu.Unlock()
	}
	for _, d := range due {
		d.exp.Expire()
	}
	return next
}

// Close makes every later Start expire at once, ends the deadline
// goroutine, if it runs, and waits for it. Deadlines still registered
// never fire. Package process calls it once, when its node stops.
func (s *Sweeper) Close() {
	s.closed.Store(true)
	s.startMu.Lock()
	started := s.started
	s.started = true // no start after this
	s.startMu.Unlock()
	if started {
		close(s.stop)
		<-s.exited
	}
}
