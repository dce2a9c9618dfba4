package breaker

import (
	"fmt"
	"sort"
	"sync"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Event names; every event has the metadata "key" (string), "from" and
// "to" (the states' String) and the measurement "count" (1).
const (
	// EventStateChanged is emitted on every state change of a breaker.
	EventStateChanged = "orchard.breaker.state_changed"
)

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
type Set struct {
	settings Settings
	tel      *telemetry.Registry

	mu       sync.RWMutex // protects breakers
	breakers map[string]*Breaker
}

// Option configures [NewSet].
type Option interface{ apply(*Set) error }

type optionFunc func(*Set) error

func (f optionFunc) apply(s *Set) error { return f(s) }

// WithTelemetry makes the set's breakers emit their events on r instead
// of telemetry.Default(). A nil r is an error.
func WithTelemetry(r *telemetry.Registry) Option {
	return optionFunc(func(s *Set) error {
		if r == nil {
			return &settingsError{"WithTelemetry", "is nil"}
		}
		s.tel = r
		return nil
	})
}

// NewSet returns an empty set whose breakers use settings. Bad settings
// or options give an error matching [ErrInvalidSettings].
func NewSet(settings Settings, opts ...Option) (*Set, error) {
	if err := settings.validate(); err != nil {
		return nil, err
	}
	s := &Set{settings: settings, tel: telemetry.Default(), breakers: make(map[string]*Breaker)}
	for _, o := range opts {
		if o == nil {
			return nil, &settingsError{"option", "is nil"}
		}
		if err := o.apply(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Get returns key's breaker, creating it closed on first use.
func (s *Set) Get(key string) *Breaker {
	s.mu.RLock()
	b := s.breakers[key]
	s.mu.RUnlock()
	if b != nil {
		return b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b = s.breakers[key]; b == nil {
		b = newBreaker(key, s.settings, s.tel)
		s.breakers[key] = b
	}
	return b
}

// Allow is Get(key).Allow().
func (s *Set) Allow(key string) (done func(Result), err error) { return s.Get(key).Allow() }

// States returns the state of every breaker in the set, by key.
func (s *Set) States() map[string]State {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.breakers[key]
	delete(s.breakers, key)
	return ok
}

// Key renders a destination as a breaker key: "pid:<1.42>" for a PID,
// "name:worker" for a local name, and "<type>:<String()>" (for example
// "registry.ViaName:via(worker)") for any other destination, so a name
// keeps its breaker across restarts of the process behind it.
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
