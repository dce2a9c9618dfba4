package ratelimit

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Limiter is a set of token buckets, one per key, each with the default
// limit or its own. All its methods are safe from any goroutine. Create
// it with [New]. A nil or zero *Limiter is refused the way an empty key
// is: Allow reports false, Wait, SetLimit and Start return an error
// matching [ErrInvalidArgument], and getters return zero values.
type Limiter struct {
	def       Limit
	overrides sync.Map // string -> Limit; read when a bucket is made
	seed      maphash.Seed
	shards    []shard
	cfg       config
	tel       *telemetry.Registry
	touch     int64 // ns between two updates of a bucket's last use
	rejected  atomic.Uint64
	expired   atomic.Uint64

	mu      sync.Mutex // protects janitor
	janitor rt.Target  // the running janitor, if any
}

// shard holds the buckets of the keys hashing to it. Reads take no lock
// (sync.Map), so a hot key scales with cores.
type shard struct {
	buckets sync.Map // string -> *bucket
	n       atomic.Int64
	_       [64]byte
}

// bucket is one key's token bucket.
type bucket struct {
	lim  *rate.Limiter
	last atomic.Int64 // last use, in UnixNano; written at most every touch ns
}

// New returns a limiter whose keys have limit def unless an option gives
// them their own. It fails with a *[LimitError] (matching
// [ErrInvalidLimit]) for an invalid limit and an error matching
// [ErrInvalidOption] for a bad option. New starts nothing: keys are made
// on first use, and idle ones are forgotten only while the janitor runs
// ([Limiter.Start], [Limiter.StartLink] or [Limiter.ChildSpec]).
func New(def Limit, opts ...Option) (*Limiter, error) {
	if err := def.validate(""); err != nil {
		return nil, err
	}
	var cfg config
	for i, o := range opts {
		if o == nil {
			return nil, invalidOption("ratelimit: New", fmt.Sprintf("opts[%d]", i), "is nil")
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	cfg.withDefaults()
	l := &Limiter{
		def:    def,
		seed:   maphash.MakeSeed(),
		shards: make([]shard, cfg.shards),
		cfg:    cfg,
		tel:    cfg.telemetry,
		touch:  max(int64(cfg.idle/16), 1),
	}
	for k, v := range cfg.keys {
		l.overrides.Store(k, v)
	}
	return l, nil
}

// usable reports whether l was made by New.
func (l *Limiter) usable() bool { return l != nil && len(l.shards) > 0 }

func (l *Limiter) shard(key string) *shard {
	return &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
}

// LimitOf returns the limit key has: its own, or the default (the zero
// Limit for a nil Limiter).
func (l *Limiter) LimitOf(key string) Limit {
	if !l.usable() {
		return Limit{}
	}
	if v, ok := l.overrides.Load(key); ok {
		return v.(Limit)
	}
	return l.def
}

// SetLimit gives key its own limit from now on. An existing bucket keeps
// its tokens and refills at the new rate. It fails with a *[LimitError]
// for an invalid limit, and with an error matching [ErrInvalidArgument]
// for an empty key or a nil Limiter.
func (l *Limiter) SetLimit(key string, lim Limit) error {
	const op = "ratelimit: Limiter.SetLimit"
	if !l.usable() {
		return argerr.Nil(op, "receiver")
	}
	if key == "" {
		return argerr.Empty(op, "key")
	}
	if err := lim.validate(key); err != nil {
		return err
	}
	l.overrides.Store(key, lim)
	if v, ok := l.shard(key).buckets.Load(key); ok {
		apply(v.(*bucket), lim, time.Now())
	}
	return nil
}

func apply(b *bucket, lim Limit, now time.Time) {
	b.lim.SetLimitAt(now, lim.Rate)
	b.lim.SetBurstAt(now, lim.Burst)
}

// bucket returns key's bucket, making it on first use.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	s := l.shard(key)
	ns := now.UnixNano()
	if v, ok := s.buckets.Load(key); ok {
		b := v.(*bucket)
		if ns-b.last.Load() > l.touch {
			b.last.Store(ns)
		}
		return b
	}
	lim := l.LimitOf(key)
	b := &bucket{lim: rate.NewLimiter(lim.Rate, lim.Burst)}
	b.last.Store(ns)
	v, loaded := s.buckets.LoadOrStore(key, b)
	if loaded {
		return v.(*bucket)
	}
	s.n.Add(1)
	if now := l.LimitOf(key); now != lim {
		// SetLimit ran between LimitOf and the store, and may have missed
		// the new bucket.
		apply(b, now, time.Now())
	}
	return b
}

// Allow reports whether one event for key may happen now, taking a token
// if so. It never blocks. A refusal is counted and emitted as
// [EventRejected] with op "allow". An empty key, or a nil Limiter, is
// refused (false) without a count: it is bad input, not a rate decision.
func (l *Limiter) Allow(key string) bool {
	if key == "" || !l.usable() {
		return false
	}
	now := time.Now()
	if l.bucket(key, now).lim.AllowN(now, 1) {
		return true
	}
	l.reject(key, "allow", nil)
	return false
}

// Reserve takes a token for key now or in the future and returns the
// reservation: the caller waits r.Delay() before acting, or calls
// r.Cancel() to give the token back. r.OK() is false when the key can
// never pass (burst zero); that is counted and emitted as [EventRejected]
// with op "reserve". It never blocks. For an empty key or a nil Limiter
// it returns a reservation that is not OK, without a count.
func (l *Limiter) Reserve(key string) *rate.Reservation {
	if key == "" || !l.usable() {
		return &rate.Reservation{} // not OK: Delay is infinite, Cancel does nothing
	}
	now := time.Now()
	r := l.bucket(key, now).lim.ReserveN(now, 1)
	if !r.OK() {
		l.reject(key, "reserve", ErrExceedsBurst)
	}
	return r
}

// Wait blocks until one event for key may happen, or ctx ends. It returns
// nil at once when a token is available. It returns a *[RejectedError]
// (matching [ErrRejected]):
//
//   - at once, when the key can never pass (cause [ErrExceedsBurst]);
//   - at once, when the wait would outlast ctx's deadline (cause
//     context.DeadlineExceeded; no token is taken);
//   - at once, when ctx has already ended (cause ctx.Err());
//   - when ctx ends during the wait (cause ctx.Err(); the token is given
//     back).
//
// Rejections are counted and emitted as [EventRejected] with op "wait".
// A nil ctx, an empty key or a nil Limiter is an error matching
// [ErrInvalidOption] and [ErrInvalidArgument].
func (l *Limiter) Wait(ctx context.Context, key string) error {
	const op = "ratelimit: Limiter.Wait"
	switch {
	case !l.usable():
		return invalidOption(op, "receiver", "is nil")
	case ctx == nil:
		return invalidOption(op, "ctx", "is nil")
	case key == "":
		return invalidOption(op, "key", "is empty")
	}
	if err := ctx.Err(); err != nil {
		return l.rejectWait(key, 0, err) // as x/time/rate: no token taken
	}
	now := time.Now()
	r := l.bucket(key, now).lim.ReserveN(now, 1)
	if !r.OK() {
		return l.rejectWait(key, 0, ErrExceedsBurst)
	}
	delay := r.DelayFrom(now)
	if delay == 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(delay).After(dl) {
		r.CancelAt(now)
		return l.rejectWait(key, delay, context.DeadlineExceeded)
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return l.rejectWait(key, delay, ctx.Err())
	}
}

func (l *Limiter) rejectWait(key string, delay time.Duration, cause error) error {
	l.reject(key, "wait", cause)
	return &RejectedError{Key: key, Delay: delay, Cause: cause}
}

func (l *Limiter) reject(key, op string, reason error) {
	l.rejected.Add(1)
	if l.tel.Enabled(EventRejected) {
		md := telemetry.Metadata{"key": key, "op": op}
		if reason != nil {
			md["reason"] = reason
		}
		l.tel.Execute(EventRejected, telemetry.Measurements{"count": 1}, md)
	}
}

// Stats are a limiter's counters.
type Stats struct {
	// Keys is the number of keys with a bucket now.
	Keys int
	// Rejected counts refused Allow calls, failed reservations and failed
	// waits.
	Rejected uint64
	// Expired counts keys the janitor forgot.
	Expired uint64
}

// Stats returns the limiter's counters.
func (l *Limiter) Stats() Stats {
	if !l.usable() {
		return Stats{}
	}
	s := Stats{Rejected: l.rejected.Load(), Expired: l.expired.Load()}
	for i := range l.shards {
		s.Keys += int(l.shards[i].n.Load())
	}
	return s
}
