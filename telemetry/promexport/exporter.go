package promexport

import (
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// DefaultHandlerID is the telemetry handler id an [Exporter] attaches
// under unless [WithHandlerID] says otherwise.
const DefaultHandlerID = "orchard.promexport"

// Option configures [New]. It is metricmap.Option: the Prometheus and
// OpenTelemetry exporters take the same options.
type Option = metricmap.Option

// WithMetrics replaces the exported metrics (default
// DefaultMetrics(nil, nil)). To add to the defaults, pass
// append(DefaultMetrics(nil, nil), mine...).
func WithMetrics(ms ...Metric) Option { return metricmap.WithMetrics(ms...) }

// WithNode also exports node's gauges, read on every scrape (see
// [NewNodeCollector]). A nil node makes New fail with an error matching
// [ErrInvalidArgument], a stopped one with process.ErrNodeStopped.
func WithNode(node *process.Node) Option { return metricmap.WithNode(node) }

// WithMailboxScan turns the per-scrape walk of the node's mailboxes on
// (the default) or off; see [NewNodeCollector].
func WithMailboxScan(on bool) Option { return metricmap.WithMailboxScan(on) }

// WithHandlerID sets the telemetry handler id (default
// [DefaultHandlerID]); two exporters on one telemetry registry need two
// ids. An empty id makes New fail with an error matching
// [ErrInvalidArgument].
func WithHandlerID(id string) Option { return metricmap.WithHandlerID(id) }

// Exporter turns telemetry events into Prometheus metrics. It holds no
// goroutine: events update the metrics synchronously in the emitter's
// goroutine (a map lookup and an atomic add per metric), and the node's
// gauges are read when the registry is gathered.
type Exporter struct {
	reg        prometheus.Registerer
	router     *metricmap.Router[*series]
	collectors []prometheus.Collector
	closed     atomic.Bool
}

// series is one metric's vector: exactly one field is set.
type series struct {
	counter *prometheus.CounterVec
	gauge   *prometheus.GaugeVec
	hist    *prometheus.HistogramVec
}

// New creates the metrics, registers them on reg, and attaches a handler
// to tel for their events. A nil tel means the registry of the node of
// [WithNode] (process.Config.Telemetry), else telemetry.Default(). It returns an error
// matching [ErrInvalidMetric] for a bad metric, the registry's error (for
// example a prometheus.AlreadyRegisteredError) if a metric cannot be
// registered, or the telemetry registry's error if the handler id is
// taken; nothing stays registered or attached after an error. A nil reg,
// a nil option, a nil node or an empty handler id is an error matching
// [ErrInvalidArgument] (a nil reg [ErrInvalidMetric] too, and so does
// every bad metric), a stopped node process.ErrNodeStopped.
func New(tel *telemetry.Registry, reg prometheus.Registerer, opts ...Option) (*Exporter, error) {
	const op = "promexport: New"
	if reg == nil {
		return nil, metricmap.NilTarget(op, "reg")
	}
	c, err := metricmap.Configure(op, DefaultHandlerID, func() []Metric { return DefaultMetrics(nil, nil) }, opts)
	if err != nil {
		return nil, err
	}
	e := &Exporter{reg: reg, router: metricmap.NewRouter[*series](c.Telemetry(tel), c.HandlerID)}
	if err := e.build(c); err != nil {
		e.unregister()
		return nil, err
	}
	if err := e.router.Attach((*series).record); err != nil {
		e.unregister()
		return nil, err
	}
	return e, nil
}

func (e *Exporter) build(c metricmap.Config) error {
	for _, m := range c.Metrics {
		s, col := newSeries(m)
		if err := e.register(col); err != nil {
			return fmt.Errorf("promexport: registering %s: %w", m.Name, err)
		}
		e.router.Add(m, s)
	}
	if c.Node != nil {
		if err := e.register(&nodeCollector{node: c.Node, mailboxScan: c.MailboxScan}); err != nil {
			return fmt.Errorf("promexport: registering the node collector: %w", err)
		}
	}
	return nil
}

func (e *Exporter) register(col prometheus.Collector) error {
	if err := e.reg.Register(col); err != nil {
		return err
	}
	e.collectors = append(e.collectors, col)
	return nil
}

func (e *Exporter) unregister() {
	for _, col := range e.collectors {
		e.reg.Unregister(col)
	}
	e.collectors = nil
}

func newSeries(m Metric) (*series, prometheus.Collector) {
	s := &series{}
	labels := m.LabelNames()
	switch m.Kind {
	case Gauge:
		s.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: m.Name, Help: m.Help}, labels)
		return s, s.gauge
	case Histogram:
		s.hist = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: m.Name, Help: m.Help, Buckets: m.Buckets}, labels)
		return s, s.hist
	}
	s.counter = prometheus.NewCounterVec(prometheus.CounterOpts{Name: m.Name, Help: m.Help}, labels)
	return s, s.counter
}

// record updates the series with one event's value; it runs in the
// emitter's goroutine.
func (s *series) record(v float64, labels []string) {
	switch {
	case s.counter != nil:
		if v >= 0 {
			s.counter.WithLabelValues(labels...).Add(v)
		}
	case s.gauge != nil:
		s.gauge.WithLabelValues(labels...).Set(v)
	default:
		s.hist.WithLabelValues(labels...).Observe(v)
	}
}

// Close detaches the telemetry handler and unregisters the metrics. It
// returns [ErrClosed] when called again, and an error matching
// [ErrInvalidArgument] on a nil or zero Exporter.
func (e *Exporter) Close() error {
	if e == nil || e.router == nil {
		return argerr.Nil("promexport: Exporter.Close", "receiver")
	}
	if !e.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	e.unregister()
	return e.router.Detach()
}
