package metricmap

import (
	"errors"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// Router is an exporter's index from event names to the instruments it
// built for its metrics, and the one telemetry handler that records
// events on them. T is the exporter's instrument type. A Router is built
// by one goroutine ([Router.Add]) before [Router.Attach]; after that it is
// only read, by the handler, and is safe for concurrent events.
type Router[T any] struct {
	tel     *telemetry.Registry
	id      string
	byEvent map[string][]route[T] // written before Attach only
}

// route is one metric of an event and its instrument.
type route[T any] struct {
	spec Metric
	inst T
}

// NewRouter returns an empty router whose handler will attach to tel
// (nil: telemetry.Default()) under the handler id.
func NewRouter[T any](tel *telemetry.Registry, id string) *Router[T] {
	if tel == nil {
		tel = telemetry.Default()
	}
	return &Router[T]{tel: tel, id: id, byEvent: map[string][]route[T]{}}
}

// Add routes the events of m to inst. It does not validate m: exporters
// call [Metric.Validate] before they build inst. Add must not be called
// after [Router.Attach].
func (r *Router[T]) Add(m Metric, inst T) {
	for _, ev := range m.Events {
		r.byEvent[ev] = append(r.byEvent[ev], route[T]{spec: m, inst: inst})
	}
}

// Events returns the event names routed so far, in no particular order.
func (r *Router[T]) Events() []string {
	out := make([]string, 0, len(r.byEvent))
	for ev := range r.byEvent {
		out = append(out, ev)
	}
	return out
}

// Attach attaches the router's handler to its telemetry registry. For
// each event, and each metric listing it that the event carries a value
// for ([Metric.Value]) and whose [Metric.Match] the metadata satisfies,
// the handler calls record with the metric's instrument, the value and
// the label values ([Metric.LabelValues]). record runs synchronously in
// the emitter's goroutine, so it must be quick and must not block.
//
// A router with no metrics (an exporter of node gauges only) attaches to
// the placeholder event id+".none", so that [Router.Detach] has a handler
// to detach. Attach returns the registry's error, for example
// telemetry.ErrAlreadyAttached when the id is taken.
func (r *Router[T]) Attach(record func(inst T, v float64, labels []string)) error {
	events := r.Events()
	if len(events) == 0 {
		events = []string{r.id + ".none"}
	}
	return r.tel.Attach(r.id, events, func(event string, ms telemetry.Measurements, md telemetry.Metadata) {
		routes := r.byEvent[event]
		for i := range routes {
			rt := &routes[i]
			v, ok := rt.spec.Value(ms)
			if !ok || !rt.spec.Matches(md) {
				continue
			}
			record(rt.inst, v, rt.spec.LabelValues(event, md))
		}
	})
}

// Detach detaches the router's handler. A handler that is no longer
// attached (the registry detaches a handler that panicked) is not an
// error; any other error of the registry is returned.
func (r *Router[T]) Detach() error {
	if err := r.tel.Detach(r.id); err != nil && !errors.Is(err, telemetry.ErrNotAttached) {
		return err
	}
	return nil
}
