package health

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Defaults applied to zero fields of [Check] and [Config].
const (
	// DefaultInterval is the time between the end of a check's run and
	// the start of its next one.
	DefaultInterval = 10 * time.Second
	// DefaultTimeout is how long a check may run.
	DefaultTimeout = 5 * time.Second
	// DefaultHistory is how many recent results a check keeps.
	DefaultHistory = 10
)

// Check is a health check. Zero Interval and Timeout mean
// [DefaultInterval] and [DefaultTimeout].
type Check struct {
	// Name identifies the check in reports and in /readyz?verbose lines;
	// it must be non-empty, without spaces, slashes or brackets.
	Name string
	// Func runs the check. It returns nil when healthy, an error wrapped
	// with [Degrade] when degraded, and any other error when unhealthy.
	// It runs in its own process and must return when ctx is done (the
	// check's timeout, or the monitor's death); a panic is an unhealthy
	// result.
	Func func(ctx context.Context) error
	// Interval is the time between the end of one run and the start of
	// the next.
	Interval time.Duration
	// Timeout bounds one run: a run that has not returned by then is
	// unhealthy with a *[TimeoutError] and its process is killed.
	Timeout time.Duration
	// NonCritical makes an unhealthy result count as degraded in the
	// aggregate status: the application still serves without it.
	NonCritical bool
	// Liveness makes the check count for /healthz as well as /readyz.
	// Keep liveness checks to what a restart would fix (Kubernetes
	// restarts a pod whose liveness probe fails).
	Liveness bool
}

func (c Check) withDefaults() Check {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// validate checks c, named arg in the call op.
func (c Check) validate(op, arg string) error {
	switch {
	case !validName(c.Name):
		return invalid(op, arg+".Name", fmt.Sprintf("%q is empty or has a space, a slash or a bracket", c.Name))
	case c.Func == nil:
		return invalid(op, arg+".Func", "is nil")
	case c.Interval < 0:
		return invalid(op, arg+".Interval", fmt.Sprintf("must not be negative, got %v", c.Interval))
	case c.Timeout < 0:
		return invalid(op, arg+".Timeout", fmt.Sprintf("must not be negative, got %v", c.Timeout))
	}
	return nil
}

// Config configures a health monitor ([Start], [StartLink]).
type Config struct {
	// Checks are registered at start, in this order; more can be added
	// with [Register].
	Checks []Check
	// History is how many results each check keeps (default
	// [DefaultHistory]).
	History int
	// Name registers the monitor under a local name (optional).
	Name string
	// Via names the monitor in a registry (optional), e.g. registry.Via.
	Via genserver.Registrar
	// Telemetry receives the monitor's events (nil: the registry of the
	// monitor's node, process.Config.Telemetry, else telemetry.Default()).
	Telemetry *telemetry.Registry
}

// withDefaults fills in the defaults of a monitor on node.
func (c *Config) withDefaults(op string, node *process.Node) error {
	if c.History < 0 {
		return invalid(op, "cfg.History", fmt.Sprintf("must not be negative, got %d", c.History))
	}
	if c.History == 0 {
		c.History = DefaultHistory
	}
	if c.Telemetry == nil {
		c.Telemetry = nodeenv.Telemetry(node)
	}
	return nil
}

// StartFunc returns a supervisor start function that starts a health
// monitor with cfg linked to the supervisor:
//
//	supervisor.ChildSpec{ID: "health", Start: health.StartFunc(cfg)}
func StartFunc(cfg Config) supervisor.StartFunc {
	return func(parent *process.Proc) (process.PID, error) { return StartLink(parent, cfg) }
}
