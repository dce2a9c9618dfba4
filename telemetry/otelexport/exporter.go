package otelexport

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// Instrumentation scope of the exporter's meter.
const (
	ScopeName = "github.com/seed-fe72f376/orchard/telemetry/otelexport"
	// DefaultHandlerID is the telemetry handler id an [Exporter] attaches
	// under unless [WithHandlerID] says otherwise.
	DefaultHandlerID = "orchard.otelexport"
)

// Option configures [New]. It is metricmap.Option: the Prometheus and
// OpenTelemetry exporters take the same options.
type Option = metricmap.Option

// WithMetrics replaces the exported metrics (default
// DefaultMetrics(nil, nil)).
func WithMetrics(ms ...Metric) Option { return metricmap.WithMetrics(ms...) }

// WithNode also exports node's gauges through observable instruments,
// read at each collection: orchard_processes, orchard_zombies,
// orchard_timers, orchard_workers, orchard_messages_dropped (a counter),
// and, with the mailbox scan on, orchard_mailbox_messages,
// orchard_mailbox_messages_max and orchard_mailbox_length{name} (see
// promexport.NewNodeCollector for the cost). A nil node makes New fail
// with an error matching [ErrInvalidArgument], a stopped one with
// process.ErrNodeStopped.
func WithNode(node *process.Node) Option { return metricmap.WithNode(node) }

// WithMailboxScan turns the per-collection walk of the node's mailboxes
// on (the default) or off.
func WithMailboxScan(on bool) Option { return metricmap.WithMailboxScan(on) }

// WithHandlerID sets the telemetry handler id (default [DefaultHandlerID]).
// An empty id makes New fail with an error matching [ErrInvalidArgument].
func WithHandlerID(id string) Option { return metricmap.WithHandlerID(id) }

// Exporter records telemetry events on OpenTelemetry instruments. It
// holds no goroutine; when the data leaves the process is up to the
// MeterProvider's readers.
type Exporter struct {
	router *metricmap.Router[*instrument]
	reg    metric.Registration // node callback; nil without WithNode
	closed atomic.Bool
}

// instrument is one metric's instrument (exactly one of counter, gauge
// and hist is set) and its attribute keys, in label order.
type instrument struct {
	keys    []attribute.Key
	counter metric.Float64Counter
	gauge   metric.Float64Gauge
	hist    metric.Float64Histogram
}

// New creates the instruments on a meter of mp and attaches a handler to
// tel for their events. A nil tel means the registry of the node of
// [WithNode] (process.Config.Telemetry), else telemetry.Default(). It returns an error
// matching [ErrInvalidMetric] for a bad metric or a nil mp, the meter's
// error if an instrument cannot be created, or the telemetry registry's
// error if the handler id is taken. A nil mp, a nil option, a nil node or
// an empty handler id is an error matching [ErrInvalidArgument] (a nil mp
// [ErrInvalidMetric] too, and so does every bad metric), a stopped node
// process.ErrNodeStopped; then nothing is attached.
func New(tel *telemetry.Registry, mp metric.MeterProvider, opts ...Option) (*Exporter, error) {
	const op = "otelexport: New"
	if mp == nil {
		return nil, metricmap.NilTarget(op, "mp")
	}
	c, err := metricmap.Configure(op, DefaultHandlerID, func() []Metric { return DefaultMetrics(nil, nil) }, opts)
	if err != nil {
		return nil, err
	}
	meter := mp.Meter(ScopeName)
	e := &Exporter{router: metricmap.NewRouter[*instrument](c.Telemetry(tel), c.HandlerID)}
	for _, m := range c.Metrics {
		if err := e.add(meter, m); err != nil {
			return nil, err
		}
	}
	if c.Node != nil {
		reg, err := observeNode(meter, c.Node, c.MailboxScan)
		if err != nil {
			return nil, err
		}
		e.reg = reg
	}
	if err := e.router.Attach((*instrument).record); err != nil {
		_ = e.unregister() // the Attach error is the one to report
		return nil, err
	}
	return e, nil
}

func (e *Exporter) add(meter metric.Meter, m Metric) error {
	in := &instrument{keys: make([]attribute.Key, len(m.Labels))}
	for i, l := range m.Labels {
		in.keys[i] = attribute.Key(l.Name)
	}
	var err error
	switch m.Kind {
	case Gauge:
		in.gauge, err = meter.Float64Gauge(m.Name, metric.WithDescription(m.Help))
	case Histogram:
		opts := []metric.Float64HistogramOption{metric.WithDescription(m.Help)}
		if len(m.Buckets) > 0 {
			opts = append(opts, metric.WithExplicitBucketBoundaries(m.Buckets...))
		}
		in.hist, err = meter.Float64Histogram(m.Name, opts...)
	default:
		in.counter, err = meter.Float64Counter(m.Name, metric.WithDescription(m.Help))
	}
	if err != nil {
		return fmt.Errorf("otelexport: creating %s: %w", m.Name, err)
	}
	e.router.Add(m, in)
	return nil
}

// record records one event's value; it runs in the emitter's goroutine.
func (in *instrument) record(v float64, labels []string) {
	ctx := context.Background()
	attrs := metric.WithAttributeSet(in.attributes(labels))
	switch {
	case in.counter != nil:
		if v >= 0 {
			in.counter.Add(ctx, v, attrs)
		}
	case in.gauge != nil:
		in.gauge.Record(ctx, v, attrs)
	default:
		in.hist.Record(ctx, v, attrs)
	}
}

func (in *instrument) attributes(labels []string) attribute.Set {
	kvs := make([]attribute.KeyValue, len(labels))
	for i, v := range labels {
		kvs[i] = in.keys[i].String(v)
	}
	return attribute.NewSet(kvs...)
}

func (e *Exporter) unregister() error {
	if e.reg == nil {
		return nil
	}
	return e.reg.Unregister()
}

// Close detaches the telemetry handler and unregisters the node
// callback; instruments stay in the MeterProvider (OpenTelemetry has no
// way to remove one). It returns [ErrClosed] when called again, and an
// error matching [ErrInvalidArgument] on a nil or zero Exporter.
func (e *Exporter) Close() error {
	if e == nil || e.router == nil {
		return argerr.Nil("otelexport: Exporter.Close", "receiver")
	}
	if !e.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	return errors.Join(e.unregister(), e.router.Detach())
}
