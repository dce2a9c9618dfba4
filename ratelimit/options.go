package ratelimit

import (
	"fmt"
	"math"
	"runtime"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// DefaultIdleTimeout is how long a key may go unused before the janitor
// may forget it.
const DefaultIdleTimeout = 10 * time.Minute

// Limit is a token bucket: Rate tokens per second refill a bucket of
// Burst tokens, and each event takes one. rate.Inf means no limit (Burst
// is then ignored); rate.Every(d) gives one event per d.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// String prints the limit as "rate/s burst b".
func (l Limit) String() string {
	if l.Rate == rate.Inf {
		return "unlimited"
	}
	return fmt.Sprintf("%g/s burst %d", float64(l.Rate), l.Burst)
}

// validate returns a *LimitError for a limit no bucket can have.
func (l Limit) validate(key string) error {
	r := float64(l.Rate)
	switch {
	case math.IsNaN(r) || r < 0:
		return &LimitError{Key: key, Limit: l, Reason: "rate must be >= 0 or rate.Inf"}
	case l.Burst < 0:
		return &LimitError{Key: key, Limit: l, Reason: "burst must be >= 0"}
	case l.Burst == 0 && r > 0 && l.Rate != rate.Inf:
		return &LimitError{Key: key, Limit: l, Reason: "burst 0 with a positive rate lets no event pass"}
	}
	return nil
}

// Option configures [New].
type Option interface{ apply(*config) error }

type config struct {
	keys      map[string]Limit
	idle      time.Duration
	sweep     time.Duration
	shards    int
	telemetry *telemetry.Registry
}

type option func(*config) error

func (f option) apply(c *config) error { return f(c) }

func (c *config) withDefaults() {
	if c.idle == 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.sweep == 0 {
		c.sweep = c.idle / 2
	}
	if c.shards == 0 {
		c.shards = 4 * runtime.GOMAXPROCS(0)
	}
	if c.telemetry == nil {
		c.telemetry = telemetry.Default()
	}
}

// WithLimit gives key its own limit instead of the default. The limit is
// validated as New's default is; an empty key is an error matching
// [ErrInvalidOption] and [ErrInvalidArgument].
func WithLimit(key string, l Limit) Option {
	return option(func(c *config) error {
		if key == "" {
			return invalidOption("ratelimit: New", "WithLimit key", "is empty")
		}
		if err := l.validate(key); err != nil {
			return err
		}
		if c.keys == nil {
			c.keys = make(map[string]Limit)
		}
		c.keys[key] = l
		return nil
	})
}

// WithIdleTimeout sets how long a key may go unused before the janitor
// forgets it (default [DefaultIdleTimeout]). It must be positive.
func WithIdleTimeout(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return invalidOption("ratelimit: New", "WithIdleTimeout d", fmt.Sprintf("must be positive, got %v", d))
		}
		c.idle = d
		return nil
	})
}

// WithSweepInterval sets how often the janitor looks for idle keys
// (default: half the idle timeout). It must be positive.
func WithSweepInterval(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return invalidOption("ratelimit: New", "WithSweepInterval d", fmt.Sprintf("must be positive, got %v", d))
		}
		c.sweep = d
		return nil
	})
}

// WithShards sets the number of shards of the key table (default
// 4 × runtime.GOMAXPROCS(0) at New). It must be positive.
func WithShards(n int) Option {
	return option(func(c *config) error {
		if n <= 0 {
			return invalidOption("ratelimit: New", "WithShards n", fmt.Sprintf("must be positive, got %d", n))
		}
		c.shards = n
		return nil
	})
}

// WithTelemetry sets the registry events are emitted on. Nil, the
// default, means telemetry.Default(): a Limiter belongs to no node (its
// janitor, on whatever node, publishes on this registry too), so give a
// Limiter used on a node the node's registry here.
func WithTelemetry(r *telemetry.Registry) Option {
	return option(func(c *config) error {
		c.telemetry = r
		return nil
	})
}
