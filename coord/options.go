package coord

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Defaults for the durations a [Coordinator] and its calls use.
const (
	// DefaultLease is a lock's or a leadership's lease without WithLease.
	DefaultLease = 5 * time.Second
	// DefaultBarrierTimeout bounds a barrier round without WithTimeout.
	DefaultBarrierTimeout = 30 * time.Second
	// DefaultVoteTimeout bounds a consensus round's voting without
	// Proposal.Timeout.
	DefaultVoteTimeout = 5 * time.Second
	// DefaultBackendTimeout bounds each backend operation of a
	// coordinator without WithBackendTimeout.
	DefaultBackendTimeout = 2 * time.Second
	// DefaultRetryInterval is how often, at most, a coordinator retries
	// a lock or election held in the backend by another coordinator.
	DefaultRetryInterval = 250 * time.Millisecond
)

// Option configures a [Coordinator] at [Start], [StartLink] or
// [StartFunc].
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	backend        Backend
	name           string
	backendTimeout time.Duration
	retry          time.Duration
}

func (c *config) withDefaults() {
	if c.backend == nil {
		c.backend = NewMemoryBackend()
	}
	if c.backendTimeout == 0 {
		c.backendTimeout = DefaultBackendTimeout
	}
	if c.retry == 0 {
		c.retry = DefaultRetryInterval
	}
}

// WithBackend sets where the coordinator keeps its leases (locks and
// leaderships): a [MemoryBackend] (the default, one per [Start], or one
// per [StartFunc] shared by every restart) or kvcoord's JetStream
// backend. Coordinators sharing a backend share its locks and
// elections.
func WithBackend(b Backend) Option {
	return optionFunc(func(c *config) error {
		if b == nil {
			return isNil("coord: WithBackend", "b")
		}
		c.backend = b
		return nil
	})
}

// WithName registers the coordinator process under name on its node.
func WithName(name string) Option {
	return optionFunc(func(c *config) error {
		if name == "" {
			return empty("coord: WithName", "name")
		}
		c.name = name
		return nil
	})
}

// WithBackendTimeout bounds each backend operation (default
// [DefaultBackendTimeout]).
func WithBackendTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if err := positive("coord: WithBackendTimeout", d); err != nil {
			return err
		}
		c.backendTimeout = d
		return nil
	})
}

// WithRetryInterval sets how often a coordinator retries a lock or an
// election that another coordinator holds in a shared backend, and
// polls the leader of a watched election (default
// [DefaultRetryInterval], capped at a quarter of the lease).
func WithRetryInterval(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if err := positive("coord: WithRetryInterval", d); err != nil {
			return err
		}
		c.retry = d
		return nil
	})
}

// CallOption configures one call: who holds or participates, the
// lease, the timeout.
type CallOption interface{ applyCall(*callConfig) error }

type callOptionFunc func(*callConfig) error

func (f callOptionFunc) applyCall(c *callConfig) error { return f(c) }

type callConfig struct {
	holder       process.PID
	lease        time.Duration
	timeout      time.Duration
	participants []process.PID
}

// WithHolder names the process that holds the lock, stands as
// candidate or takes part in the barrier; without it, the process of
// the call's context (process.FromContext). The coordinator monitors
// it: when it dies, what it holds is released and what it waits for is
// cancelled.
func WithHolder(pid process.PID) CallOption {
	return callOptionFunc(func(c *callConfig) error {
		if pid.IsZero() {
			return invalid("coord: WithHolder", "pid", "is the zero PID")
		}
		c.holder = pid
		return nil
	})
}

// WithLease sets the lease of a lock or a leadership (default
// [DefaultLease]): while the holder lives the coordinator renews it
// every third of the lease; if the coordinator dies or loses the
// backend, the lease ends at most this long after its last renewal.
func WithLease(d time.Duration) CallOption {
	return callOptionFunc(func(c *callConfig) error {
		if err := positive("coord: WithLease", d); err != nil {
			return err
		}
		c.lease = d
		return nil
	})
}

// WithTimeout bounds a barrier round from its first arrival (default
// [DefaultBarrierTimeout]).
func WithTimeout(d time.Duration) CallOption {
	return callOptionFunc(func(c *callConfig) error {
		if err := positive("coord: WithTimeout", d); err != nil {
			return err
		}
		c.timeout = d
		return nil
	})
}

// WithParticipants declares a barrier's participants: the coordinator
// monitors all of them from the round's first arrival, so one that
// dies before arriving fails the round at once. Their number must be
// the barrier's n.
func WithParticipants(pids ...process.PID) CallOption {
	return callOptionFunc(func(c *callConfig) error {
		const op = "coord: WithParticipants"
		if len(pids) == 0 {
			return empty(op, "pids")
		}
		seen := map[process.PID]bool{}
		for i, p := range pids {
			if p.IsZero() {
				return invalid(op, fmt.Sprintf("pids[%d]", i), "is the zero PID")
			}
			if seen[p] {
				return invalid(op, fmt.Sprintf("pids[%d]", i), "is a duplicate")
			}
			seen[p] = true
		}
		c.participants = append([]process.PID(nil), pids...)
		return nil
	})
}

// positive is the check every duration option makes: d must be above
// zero.
func positive(op string, d time.Duration) error {
	if d <= 0 {
		return invalid(op, "d", fmt.Sprintf("must be positive, got %v", d))
	}
	return nil
}
