package promexport

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// DefaultHandlerID is the telemetry handler id an [Exporter] attaches
// under unless [WithHandlerID] says otherwise.
const DefaultHandlerID = "orchard.promexport"

// Option configures [New].
type Option interface{ apply(*config) }

type config struct {
	metrics     []Metric
	metricsSet  bool
	node        *process.Node
	mailboxScan bool
	handlerID   string
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithMetrics replaces the exported metrics (default
// DefaultMetrics(nil, nil)). To add to the defaults, pass
// append(DefaultMetrics(nil, nil), mine...).
func WithMetrics(ms ...Metric) Option {
	return optionFunc(func(c *config) { c.metrics, c.metricsSet = ms, true })
}

// WithNode also exports node's gauges, read on every scrape (see
// [NewNodeCollector]).
func WithNode(node *process.Node) Option { return optionFunc(func(c *config) { c.node = node }) }

// WithMailboxScan turns the per-scrape walk of the node's mailboxes on
// (the default) or off; see [NewNodeCollector].
func WithMailboxScan(on bool) Option { return optionFunc(func(c *config) { c.mailboxScan = on }) }

// WithHandlerID sets the telemetry handler id (default
// [DefaultHandlerID]); two exporters on one telemetry registry need two
// ids.
func WithHandlerID(id string) Option { return optionFunc(func(c *config) { c.handlerID = id }) }

// Exporter turns telemetry events into Prometheus metrics. It holds no
// goroutine: events update the metrics synchronously in the emitter's
// goroutine (a map lookup and an atomic add per metric), and the node's
// gauges are read when the registry is gathered.
type Exporter struct {
	tel        *telemetry.Registry
	reg        prometheus.Registerer
	id         string
	collectors []prometheus.Collector
	byEvent    map[string][]*series
	closed     atomic.Bool
}

// series is one metric's vector and its spec.
type series struct {
	spec    Metric
	counter *prometheus.CounterVec
	gauge   *prometheus.GaugeVec
	hist    *prometheus.HistogramVec
}

// New creates the metrics, registers them on reg, and attaches a handler
// to tel (nil: telemetry.Default()) for their events. It returns an error
// matching [ErrInvalidMetric] for a bad metric, the registry's error (for
// example a prometheus.AlreadyRegisteredError) if a metric cannot be
// registered, or the telemetry registry's error if the handler id is
// taken; nothing stays registered or attached after an error.
func New(tel *telemetry.Registry, reg prometheus.Registerer, opts ...Option) (*Exporter, error) {
	if reg == nil {
		return nil, fmt.Errorf("%w: nil prometheus.Registerer", ErrInvalidMetric)
	}
	c := config{mailboxScan: true, handlerID: DefaultHandlerID}
	for _, o := range opts {
		o.apply(&c)
	}
	if !c.metricsSet {
		c.metrics = DefaultMetrics(nil, nil)
	}
	if tel == nil {
		tel = telemetry.Default()
	}
	e := &Exporter{tel: tel, reg: reg, id: c.handlerID, byEvent: map[string][]*series{}}
	if err := e.build(c); err != nil {
		e.unregister()
		return nil, err
	}
	if err := tel.Attach(e.id, e.events(), e.handle); err != nil {
		e.unregister()
		return nil, err
	}
	return e, nil
}

func (e *Exporter) build(c config) error {
	for _, m := range c.metrics {
		if err := m.validate(); err != nil {
			return err
		}
		s, col := newSeries(m)
		if err := e.register(col); err != nil {
			return fmt.Errorf("promexport: registering %s: %w", m.Name, err)
		}
		for _, ev := range m.Events {
			e.byEvent[ev] = append(e.byEvent[ev], s)
		}
	}
	if c.node != nil {
		if err := e.register(NewNodeCollector(c.node, c.mailboxScan)); err != nil {
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
	s := &series{spec: m}
	labels := m.labelNames()
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

func (e *Exporter) events() []string {
	out := make([]string, 0, len(e.byEvent))
	for ev := range e.byEvent {
		out = append(out, ev)
	}
	if len(out) == 0 {
		// A node-only exporter still needs a handler to detach later.
		out = append(out, DefaultHandlerID+".none")
	}
	return out
}

// handle updates the metrics of one event; it runs in the emitter's
// goroutine.
func (e *Exporter) handle(event string, m telemetry.Measurements, md telemetry.Metadata) {
	for _, s := range e.byEvent[event] {
		v, ok := s.spec.value(m)
		if !ok || !s.spec.matches(md) {
			continue
		}
		vals := s.spec.labelValues(event, md)
		switch {
		case s.counter != nil:
			if v >= 0 {
				s.counter.WithLabelValues(vals...).Add(v)
			}
		case s.gauge != nil:
			s.gauge.WithLabelValues(vals...).Set(v)
		default:
			s.hist.WithLabelValues(vals...).Observe(v)
		}
	}
}

// Close detaches the telemetry handler and unregisters the metrics. It
// returns [ErrClosed] when called again.
func (e *Exporter) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	e.unregister()
	if err := e.tel.Detach(e.id); err != nil && !errors.Is(err, telemetry.ErrNotAttached) {
		return err
	}
	return nil
}
