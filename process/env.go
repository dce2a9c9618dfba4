package process

import (
	"context"
	"log/slog"

	"github.com/seed-fe72f376/orchard/internal/nodeenv/envkey"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// The node's environment: what library code running on the node reads
// instead of package-level defaults (ARCHITECTURE.md). The runtime itself uses
// none of it; the behaviours and services read it through the
// module-internal package nodeenv.

// WithTimeouts makes c the node's timeout configuration: genserver calls
// to the node's servers without a deadline (the callee's node) and
// supervised sends (the calling process's node, else the destination's)
// resolve their default timeouts in c instead of timeouts.Default(). A nil c is an error matching [ErrInvalidArgument].
func WithTimeouts(c *timeouts.Config) Option {
	return nodeOption(func(cfg *nodeConfig) error {
		if c == nil {
			return invalidOption("process: WithTimeouts", "c", "is nil")
		}
		cfg.env.Timeouts = c
		return nil
	})
}

// WithLogger makes l the node's logger: supervisor reports, applications
// and services on the node log through l unless given a logger of their
// own, instead of slog.Default(). A nil l is an error matching
// [ErrInvalidArgument].
func WithLogger(l *slog.Logger) Option {
	return nodeOption(func(cfg *nodeConfig) error {
		if l == nil {
			return invalidOption("process: WithLogger", "l", "is nil")
		}
		cfg.env.Logger = l
		return nil
	})
}

// WithTelemetry makes r the node's telemetry registry: the events of
// the behaviours and services on the node (genserver call timeouts,
// supervisor reports through the telemetry bridge, send outcomes, dead
// letters, schedules, health and monitor events) are published on r
// unless a service is given a registry of its own, instead of on
// telemetry.Default(). A nil r is an error matching
// [ErrInvalidArgument].
func WithTelemetry(r *telemetry.Registry) Option {
	return nodeOption(func(cfg *nodeConfig) error {
		if r == nil {
			return invalidOption("process: WithTelemetry", "r", "is nil")
		}
		cfg.env.Telemetry = r
		return nil
	})
}

// storeEnv hands the environment options to nodeenv (see envkey).
func (n *Node) storeEnv() {
	if n.cfg.env != (envkey.Values{}) {
		env := n.cfg.env
		n.values.Store(envkey.Key{}, &env)
	}
}

// closeEnv closes the node's resources (its embedded engine), if any
// were opened, once its processes are gone: an application closes them
// itself at the end of its Stop, so this matters for a node that runs
// none. The runtime knows nothing of the resources; nodeenv registered
// the function (see envkey).
func (n *Node) closeEnv(ctx context.Context) {
	if v, ok := n.values.Load(envkey.CloseKey{}); ok {
		v.(envkey.CloseFunc)(ctx)
	}
}
