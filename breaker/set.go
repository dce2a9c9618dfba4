package breaker

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Event names.
const (
	// EventStateChanged is emitted on every state change of a breaker.
	// Metadata "key" (string), "from" and "to" (the states' String);
	// measurement "count" (1).
	EventStateChanged = "orchard.breaker.state_changed"
	// EventEvicted is emitted when a [Set] forgets idle closed breakers
	// ([Set.Sweep], or the set reaching its [WithMaxSize]). Measurements
	// "count" (breakers forgotten) and "size" (breakers left); metadata
	// "cause": "sweep" or "max_size".
	EventEvicted = "orchard.breaker.evicted"
)

func evicted(tel *telemetry.Registry, cause string, n, size int) {
	if n == 0 || !tel.Enabled(EventEvicted) {
		return
	}
	tel.Execute(EventEvicted, telemetry.Measurements{"count": float64(n), "size": float64(size)},
		telemetry.Metadata{"cause": cause})
}

func stateChanged(tel *telemetry.Registry, key string, from, to State) {
	if !tel.Enabled(EventStateChanged) {
		return
	}
	tel.Execute(EventStateChanged, telemetry.Measurements{"count": 1},
		telemetry.Metadata{"key": key, "from": from.String(), "to": to.String()})
}

// Set holds one [Breaker] per key (typically a destination rendered by
// [Key]), all with the same settings, created on first use. Safe for
// concurrent use.
//
// Keys come and go (every PID is a new key), so a set forgets breakers
// that protect nothing: a closed breaker with no request in flight is
// evictable, an open or half-open one never is. [Set.Sweep] forgets the
// evictable breakers idle for a while (call it periodically, or run
// a janitor, [Set.Start]); [WithMaxSize] bounds the set, evicting the
// longest-idle evictable breakers when a new key would exceed it. Read
// state without creating a breaker with [Set.State] or [Set.Lookup].
//
// Create a Set with [NewSet]. A nil or zero *Set holds no breaker: Allow
// and the janitor return an error matching [ErrInvalidArgument], Get
// returns nil, and the other methods return zero values.
type Set struct {
	settings Settings
	tel      *telemetry.Registry
	maxSize  int // 0: unbounded

	mu       sync.RWMutex // protects breakers
	breakers map[string]*Breaker
}

// Option configures [NewSet].
type Option interface{ apply(*Set) error }

type optionFunc func(*Set) error

func (f optionFunc) apply(s *Set) error { return f(s) }

// WithTelemetry makes the set's breakers emit their events on r instead
// of telemetry.Default(). A nil r is an error. The default is the
// package's, not a node's: a Set belongs to no node (its janitors, on
// any node, sweep the one set and publish on its registry), so give a
// Set used on a node the node's registry here.
func WithTelemetry(r *telemetry.Registry) Option {
	return optionFunc(func(s *Set) error {
		if r == nil {
			return invalidSettings("breaker: NewSet", "WithTelemetry r", "is nil")
		}
		s.tel = r
		return nil
	})
}

// WithMaxSize bounds the number of breakers: when a new key would make
// the set hold more than n, the longest-idle evictable (closed, no
// request in flight) breakers are forgotten, down to three quarters of n,
// so eviction is amortised over many new keys. Open and half-open
// breakers are never evicted: if all n are, the set grows past n rather
// than forget a tripped destination. n must be positive; the default is
// unbounded.
func WithMaxSize(n int) Option {
	return optionFunc(func(s *Set) error {
		if n <= 0 {
			return invalidSettings("breaker: NewSet", "WithMaxSize n", fmt.Sprintf("must be positive, got %d", n))
		}
		s.maxSize = n
		return nil
	})
}

// NewSet returns an empty set whose breakers use settings. Bad settings
// or options give an error matching [ErrInvalidSettings].
func NewSet(settings Settings, opts ...Option) (*Set, error) {
	const op = "breaker: NewSet"
	if err := settings.validate(op); err != nil {
		return nil, err
	}
	s := &Set{settings: settings, tel: telemetry.Default(), breakers: make(map[string]*Breaker)}
	for i, o := range opts {
		if o == nil {
			return nil, invalidSettings(op, fmt.Sprintf("opts[%d]", i), "is nil")
		}
		if err := o.apply(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// usable reports whether s was made by NewSet.
func (s *Set) usable() bool { return s != nil && s.breakers != nil }

// Get returns key's breaker, creating it closed on first use. For an
// empty key, or on a nil or zero Set, it returns nil, whose Allow returns
// an error matching [ErrInvalidArgument].
func (s *Set) Get(key string) *Breaker {
	if key == "" || !s.usable() {
		return nil
	}
	s.mu.RLock()
	b := s.breakers[key]
	s.mu.RUnlock()
	if b != nil {
		return b
	}
	s.mu.Lock()
	if b = s.breakers[key]; b != nil {
		s.mu.Unlock()
		return b
	}
	n := 0
	if s.maxSize > 0 && len(s.breakers) >= s.maxSize {
		n = s.shrinkLocked(s.maxSize * 3 / 4)
	}
	b = newBreaker(key, s.settings, s.tel)
	s.breakers[key] = b
	size := len(s.breakers)
	s.mu.Unlock()
	evicted(s.tel, "max_size", n, size)
	return b
}

// Lookup returns key's breaker if the set has one, without creating it.
func (s *Set) Lookup(key string) (*Breaker, bool) {
	if !s.usable() {
		return nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.breakers[key]
	return b, ok
}

// State returns the state of key's breaker, and false (with [Closed],
// what a new breaker would be) when the set has none; it never creates
// one, so reading the state of many keys does not grow the set.
func (s *Set) State(key string) (State, bool) {
	if b, ok := s.Lookup(key); ok {
		return b.State(), true
	}
	return Closed, false
}

// Len returns the number of breakers in the set.
func (s *Set) Len() int {
	if !s.usable() {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.breakers)
}

// Sweep forgets every evictable breaker (closed, no request in flight)
// not used (Allow, or a reported outcome) for idleFor, emits
// [EventEvicted] if it forgot any, and returns how many. Forgetting a
// closed breaker loses only its counts below the trip threshold; the next
// Get starts a fresh closed one. A request allowed by a breaker just as it
// is swept is counted on the forgotten breaker. A negative idleFor, or a
// nil or zero Set, forgets nothing.
func (s *Set) Sweep(idleFor time.Duration) int {
	if idleFor < 0 || !s.usable() {
		return 0
	}
	cutoff := time.Now().Add(-idleFor)
	s.mu.Lock()
	n := 0
	for k, b := range s.breakers {
		if b.evictable() && !b.idleSince().After(cutoff) {
			delete(s.breakers, k)
			n++
		}
	}
	size := len(s.breakers)
	s.mu.Unlock()
	evicted(s.tel, "sweep", n, size)
	return n
}

// shrinkLocked forgets the longest-idle evictable breakers until the set
// holds at most target, and returns how many it forgot. s.mu is held.
func (s *Set) shrinkLocked(target int) int {
	type idle struct {
		key   string
		since time.Time
	}
	var cands []idle
	for k, b := range s.breakers {
		if b.evictable() {
			cands = append(cands, idle{k, b.idleSince()})
		}
	}
	slices.SortFunc(cands, func(a, b idle) int { return a.since.Compare(b.since) })
	n := 0
	for _, c := range cands {
		if len(s.breakers) <= target {
			break
		}
		delete(s.breakers, c.key)
		n++
	}
	return n
}

// Allow is Get(key).Allow(). An empty key, or a nil or zero Set, is an
// error matching [ErrInvalidArgument].
func (s *Set) Allow(key string) (done func(Result), err error) {
	const op = "breaker: Set.Allow"
	if !s.usable() {
		return nil, argerr.Nil(op, "receiver")
	}
	if key == "" {
		return nil, argerr.Empty(op, "key")
	}
	return s.Get(key).Allow()
}

// States returns the state of every breaker in the set, by key.
func (s *Set) States() map[string]State {
	if !s.usable() {
		return map[string]State{}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]State, len(s.breakers))
	for k, b := range s.breakers {
		out[k] = b.State()
	}
	return out
}

// Keys returns the keys of the set's breakers, sorted.
func (s *Set) Keys() []string {
	if !s.usable() {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]string, 0, len(s.breakers))
	for k := range s.breakers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Remove forgets key's breaker (the next Get starts a closed one) and
// reports whether there was one.
func (s *Set) Remove(key string) bool {
	if !s.usable() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.breakers[key]
	delete(s.breakers, key)
	return ok
}

// Key renders a destination as a breaker key: "pid:<1.42>" for a PID,
// "name:worker" for a local name, and "<type>:<String()>" (for example
// "registry.ViaName:via(worker)") for any other destination, so a name
// keeps its breaker across restarts of the process behind it. A nil dest
// renders as "nil" (Key has no error result; docs/ERRORS.md §3).
func Key(dest process.Dest) string {
	switch d := dest.(type) {
	case nil:
		return "nil"
	case process.PID:
		return "pid:" + d.String()
	case process.Name:
		return "name:" + d.String()
	}
	return fmt.Sprintf("%T:%v", dest, dest)
}
