package monitors

import (
	"fmt"
	"runtime"
	"time"

	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

const (
	// DefaultLeakThreshold is the age past which the periodic check flags
	// a monitor as a potential leak (Foundation's five minutes).
	DefaultLeakThreshold = 5 * time.Minute
	// DefaultCheckInterval is how often the periodic leak check runs.
	DefaultCheckInterval = time.Minute
)

// Option configures [New].
type Option interface{ apply(*config) error }

type config struct {
	threshold time.Duration
	interval  time.Duration
	shards    int
	telemetry *telemetry.Registry
	noChecker bool
}

type option func(*config) error

func (f option) apply(c *config) error { return f(c) }

// withDefaults fills in the defaults of a manager on node.
func (c *config) withDefaults(node *process.Node) {
	if c.threshold == 0 {
		c.threshold = DefaultLeakThreshold
	}
	if c.interval == 0 {
		c.interval = DefaultCheckInterval
	}
	if c.shards == 0 {
		c.shards = 4 * runtime.GOMAXPROCS(0)
	}
	if c.telemetry == nil {
		c.telemetry = nodeenv.Telemetry(node)
	}
}

// WithLeakThreshold sets the age past which the periodic check flags a
// monitor as a potential leak. It must be positive; the default is
// [DefaultLeakThreshold].
func WithLeakThreshold(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return invalidOption("monitors: New", "WithLeakThreshold d", fmt.Sprintf("must be positive, got %v", d))
		}
		c.threshold = d
		return nil
	})
}

// WithCheckInterval sets how often the leak check runs. It must be
// positive; the default is [DefaultCheckInterval].
func WithCheckInterval(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return invalidOption("monitors: New", "WithCheckInterval d", fmt.Sprintf("must be positive, got %v", d))
		}
		c.interval = d
		return nil
	})
}

// WithShards sets the number of shards of each of the manager's two
// tables (by ref and by process). It must be positive; the default is
// 4 × runtime.GOMAXPROCS(0) at New.
func WithShards(n int) Option {
	return option(func(c *config) error {
		if n <= 0 {
			return invalidOption("monitors: New", "WithShards n", fmt.Sprintf("must be positive, got %d", n))
		}
		c.shards = n
		return nil
	})
}

// WithTelemetry sets the registry events are emitted on. Nil, the
// default, means the registry of the manager's node
// (process.Config.Telemetry), else telemetry.Default().
func WithTelemetry(r *telemetry.Registry) Option {
	return option(func(c *config) error {
		c.telemetry = r
		return nil
	})
}

// WithoutChecker makes New start no leak-check process: start it with
// [Manager.Start], [Manager.StartLink] or, to have a supervisor restart
// it if it crashes, [Manager.ChildSpec]. Until then no periodic leak
// check runs ([Manager.FindLeaks] still works).
func WithoutChecker() Option {
	return option(func(c *config) error {
		c.noChecker = true
		return nil
	})
}
