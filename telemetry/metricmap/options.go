package metricmap

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Option configures an exporter built on this package. Package
// promexport and otelexport take the same options (their Option is this
// type) and re-export its constructors with their own documentation:
// WithMetrics, WithNode, WithMailboxScan and WithHandlerID.
type Option interface{ apply(*Config) }

type optionFunc func(*Config)

func (f optionFunc) apply(c *Config) { f(c) }

// Config is what an exporter's options say, after [Configure] applied
// and checked them.
type Config struct {
	// Metrics are the metrics to export, each valid: the exporter's
	// defaults unless [WithMetrics] was given.
	Metrics []Metric
	// Node is the node whose gauges are exported; nil for none.
	Node *process.Node
	// MailboxScan says whether the node's mailboxes are walked at each
	// collection (default true).
	MailboxScan bool
	// HandlerID is the telemetry handler id; never empty.
	HandlerID string

	metricsSet bool
	nodeSet    bool // WithNode was given (its node may be nil: refused)
}

// WithMetrics replaces the exported metrics (default: the exporter's
// DefaultMetrics(nil, nil)).
func WithMetrics(ms ...Metric) Option {
	return optionFunc(func(c *Config) { c.Metrics, c.metricsSet = ms, true })
}

// WithNode also exports node's gauges. A nil node makes [Configure] fail
// with an error matching [ErrInvalidArgument], a stopped one with
// process.ErrNodeStopped.
func WithNode(node *process.Node) Option {
	return optionFunc(func(c *Config) { c.Node, c.nodeSet = node, true })
}

// Telemetry returns the telemetry registry an exporter given tel attaches
// its handler to: tel, else the registry of the node of [WithNode]
// (process.Config.Telemetry, else telemetry.Default()), else
// telemetry.Default() (an exporter of no node).
func (c Config) Telemetry(tel *telemetry.Registry) *telemetry.Registry {
	switch {
	case tel != nil:
		return tel
	case c.Node != nil:
		return nodeenv.Telemetry(c.Node)
	}
	return telemetry.Default()
}

// WithMailboxScan turns the walk of the node's mailboxes at each
// collection on (the default) or off.
func WithMailboxScan(on bool) Option { return optionFunc(func(c *Config) { c.MailboxScan = on }) }

// WithHandlerID sets the telemetry handler id (default: the exporter's
// DefaultHandlerID). An empty id makes [Configure] fail with an error
// matching [ErrInvalidArgument].
func WithHandlerID(id string) Option { return optionFunc(func(c *Config) { c.HandlerID = id }) }

// Configure applies opts to the defaults (the metrics of defaults, the
// handler id handlerID, the mailbox scan on) and checks the result, for
// the exporter function op ("promexport: New"). A nil option, a nil
// node or an empty handler id is an error matching [ErrInvalidArgument],
// a stopped node process.ErrNodeStopped; a bad metric is its
// [Metric.Validate] error, which matches [ErrInvalidMetric] and
// [ErrInvalidArgument].
func Configure(op, handlerID string, defaults func() []Metric, opts []Option) (Config, error) {
	c := Config{MailboxScan: true, HandlerID: handlerID}
	for i, o := range opts {
		if o == nil {
			return Config{}, argerr.Nil(op, fmt.Sprintf("opts[%d]", i))
		}
		o.apply(&c)
	}
	switch {
	case c.HandlerID == "":
		return Config{}, argerr.Empty(op, "WithHandlerID id")
	case c.nodeSet && c.Node == nil:
		return Config{}, argerr.Nil(op, "WithNode node")
	case c.Node != nil && c.Node.Stopped():
		return Config{}, process.ErrNodeStopped
	}
	if !c.metricsSet {
		c.Metrics = defaults()
	}
	for _, m := range c.Metrics {
		if err := m.Validate(); err != nil {
			return Config{}, &metricError{err: err}
		}
	}
	return c, nil
}
