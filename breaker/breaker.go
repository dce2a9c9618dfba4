package breaker

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/seed-fe72f376/orchard/internal/argerr"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// State is a breaker's state. Legal transitions: Closed → Open (the
// failure threshold or ratio is reached), Open → HalfOpen (OpenTimeout
// passed; seen at the next request or State call), HalfOpen → Closed
// (HalfOpenMaxRequests trial requests succeeded in a row), HalfOpen → Open
// (a trial request failed).
type State int

const (
	// Closed lets every request through and counts failures.
	Closed State = iota
	// HalfOpen lets HalfOpenMaxRequests trial requests through.
	HalfOpen
	// Open refuses every request until OpenTimeout has passed.
	Open
)

// String returns "closed", "half-open" or "open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case HalfOpen:
		return "half-open"
	case Open:
		return "open"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

func fromGobreaker(s gobreaker.State) State {
	switch s {
	case gobreaker.StateOpen:
		return Open
	case gobreaker.StateHalfOpen:
		return HalfOpen
	}
	return Closed
}

// Settings configure every breaker of a [Set]. Start from
// [DefaultSettings]: a zero field is not a default here.
type Settings struct {
	// FailureThreshold trips the breaker after this many consecutive
	// failures in the closed state. Zero disables the rule (then
	// FailureRatio must be set).
	FailureThreshold uint32
	// FailureRatio, when > 0, also trips the breaker when at least
	// MinRequests requests were counted and this fraction of them
	// failed. It must be in [0, 1].
	FailureRatio float64
	// MinRequests is how many requests FailureRatio needs to judge.
	MinRequests uint32
	// Interval clears the closed state's counts periodically; zero
	// never clears them (consecutive failures still reset on success).
	Interval time.Duration
	// OpenTimeout is how long the breaker stays open before it lets
	// trial requests through (half-open). It must be positive.
	OpenTimeout time.Duration
	// HalfOpenMaxRequests is how many trial requests pass in the
	// half-open state; that many successes close the breaker. It must
	// be at least 1.
	HalfOpenMaxRequests uint32
}

// DefaultSettings trip after 5 consecutive failures, stay open for 30 s
// and allow one trial request.
func DefaultSettings() Settings {
	return Settings{FailureThreshold: 5, MinRequests: 10, OpenTimeout: 30 * time.Second, HalfOpenMaxRequests: 1}
}

func (s Settings) validate(op string) error {
	switch {
	case s.FailureThreshold == 0 && s.FailureRatio == 0:
		return invalidSettings(op, "settings.FailureThreshold", "and FailureRatio are both zero: the breaker could never open")
	case s.FailureRatio < 0 || s.FailureRatio > 1 || s.FailureRatio != s.FailureRatio:
		return invalidSettings(op, "settings.FailureRatio", "must be in [0, 1]")
	case s.FailureRatio > 0 && s.MinRequests == 0:
		return invalidSettings(op, "settings.MinRequests", "must be positive with a FailureRatio")
	case s.Interval < 0:
		return invalidSettings(op, "settings.Interval", "must not be negative")
	case s.OpenTimeout <= 0:
		return invalidSettings(op, "settings.OpenTimeout", "must be positive")
	case s.HalfOpenMaxRequests == 0:
		return invalidSettings(op, "settings.HalfOpenMaxRequests", "must be at least 1")
	}
	return nil
}

// readyToTrip is gobreaker's trip rule for s.
func (s Settings) readyToTrip(c gobreaker.Counts) bool {
	if s.FailureThreshold > 0 && c.ConsecutiveFailures >= s.FailureThreshold {
		return true
	}
	return s.FailureRatio > 0 && c.Requests >= s.MinRequests &&
		float64(c.TotalFailures) >= s.FailureRatio*float64(c.Requests)
}

// Counts are a breaker's counts in its current state and generation
// (they reset on every state change and every Interval).
type Counts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

// Breaker is the circuit breaker of one key: a gobreaker two-step
// breaker. Safe for concurrent use. Get one from a [Set]: a nil or zero
// *Breaker refuses every request with an error matching
// [ErrInvalidArgument], and its getters return zero values.
type Breaker struct {
	key      string
	cb       *gobreaker.TwoStepCircuitBreaker[struct{}]
	lastUsed atomic.Int64 // unix nanos of the last Allow or done
	inflight atomic.Int64 // requests allowed and not yet reported
}

// usable reports whether b was made by a Set.
func (b *Breaker) usable() bool { return b != nil && b.cb != nil }

func newBreaker(key string, s Settings, tel *telemetry.Registry) *Breaker {
	b := &Breaker{key: key, cb: newGobreaker(key, s, tel)}
	b.touch()
	return b
}

// touch records a use of the breaker, for idle eviction.
func (b *Breaker) touch() { b.lastUsed.Store(time.Now().UnixNano()) }

// idleSince returns when the breaker was last used.
func (b *Breaker) idleSince() time.Time { return time.Unix(0, b.lastUsed.Load()) }

// evictable reports whether forgetting the breaker loses nothing that
// protects a destination: it is closed and no request is in flight.
func (b *Breaker) evictable() bool { return b.inflight.Load() == 0 && b.State() == Closed }

func newGobreaker(key string, s Settings, tel *telemetry.Registry) *gobreaker.TwoStepCircuitBreaker[struct{}] {
	return gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        key,
		MaxRequests: s.HalfOpenMaxRequests,
		Interval:    s.Interval,
		Timeout:     s.OpenTimeout,
		ReadyToTrip: s.readyToTrip,
		IsExcluded:  isExcluded,
		OnStateChange: func(name string, from, to gobreaker.State) {
			stateChanged(tel, name, fromGobreaker(from), fromGobreaker(to))
		},
	})
}

// Key returns the breaker's key ("" for a nil Breaker).
func (b *Breaker) Key() string {
	if b == nil {
		return ""
	}
	return b.key
}

// State returns the breaker's state now (an open breaker whose
// OpenTimeout passed reports HalfOpen).
func (b *Breaker) State() State {
	if !b.usable() {
		return Closed
	}
	return fromGobreaker(b.cb.State())
}

// Counts returns the breaker's counts.
func (b *Breaker) Counts() Counts {
	if !b.usable() {
		return Counts{}
	}
	c := b.cb.Counts()
	return Counts{c.Requests, c.TotalSuccesses, c.TotalFailures, c.ConsecutiveSuccesses, c.ConsecutiveFailures}
}

// Result is a request's outcome as a breaker counts it.
type Result int

const (
	// Success counts for the destination (and closes a half-open
	// breaker after HalfOpenMaxRequests of them).
	Success Result = iota
	// Failure counts against the destination.
	Failure
	// Excluded counts neither way (a cancelled request, bad input): the
	// request only gives back its half-open trial slot.
	Excluded
)

// String returns "success", "failure" or "excluded".
func (r Result) String() string {
	switch r {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case Excluded:
		return "excluded"
	}
	return "Result(" + strconv.Itoa(int(r)) + ")"
}

// Allow asks whether a request may proceed. If so it returns done, which
// the caller must call exactly once with the request's outcome (a
// half-open breaker keeps a trial slot taken until then); else an
// *[OpenError]. Allow does not block. A second call of done does
// nothing, and a Result other than Success and Excluded counts as a
// Failure. A nil or zero Breaker returns an error matching
// [ErrInvalidArgument].
func (b *Breaker) Allow() (done func(Result), err error) {
	if !b.usable() {
		return nil, argerr.Nil("breaker: Breaker.Allow", "receiver")
	}
	b.touch()
	report, err := b.cb.Allow()
	if err != nil {
		st := Open
		if errors.Is(err, gobreaker.ErrTooManyRequests) {
			st = HalfOpen
		}
		return nil, &OpenError{Key: b.key, State: st}
	}
	b.inflight.Add(1)
	var reported atomic.Bool
	return func(r Result) {
		if reported.Swap(true) {
			return // done is called once; a second call must not count twice
		}
		defer b.inflight.Add(-1)
		b.touch()
		switch r {
		case Success:
			report(nil)
		case Excluded:
			report(errExcluded)
		default:
			report(errFailed)
		}
	}, nil
}

// errFailed and errExcluded are how outcomes are reported to gobreaker.
var (
	errFailed   = errors.New("breaker: request failed")
	errExcluded = errors.New("breaker: request excluded")
)

func isExcluded(err error) bool { return err == errExcluded }

// Execute runs fn if the breaker allows it and counts its error: nil is a
// Success, an error matching context.Canceled is Excluded, any other a
// Failure. Refused, it returns an *[OpenError] without running fn. A nil
// fn or a nil Breaker is an error matching [ErrInvalidArgument].
func (b *Breaker) Execute(fn func() error) error {
	if fn == nil {
		return argerr.Nil("breaker: Breaker.Execute", "fn")
	}
	done, err := b.Allow()
	if err != nil {
		return err
	}
	err = fn()
	switch {
	case err == nil:
		done(Success)
	case errors.Is(err, context.Canceled):
		done(Excluded)
	default:
		done(Failure)
	}
	return err
}
