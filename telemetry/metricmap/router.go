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
	names   *Names
}

// route is one metric of an event and its instrument.
type route[T any] struct {
	spec Metric
	inst T
}

// NewRouter returns an empty router whose handler will attach to tel
// (nil: telemetry.Default()) under the handler id; an empty id is
// refused by [Router.Attach].
func NewRouter[T any](tel *telemetry.Registry, id string) *Router[T] {
	if tel == nil {
		tel = telemetry.Default()
	}
	return &Router[T]{tel: tel, id: id, byEvent: map[string][]route[T]{}, names: NewNames()}
}

// Names returns the table the router names processes with in labels.
// It returns nil for a nil router.
func (r *Router[T]) Names() *Names {
	if r == nil {
		return nil
	}
	return r.names
}

// Add routes the events of m to inst. It does not validate m: exporters
// call [Metric.Validate] before they build inst. Add must not be called
// after [Router.Attach]. On a nil router it does nothing.
func (r *Router[T]) Add(m Metric, inst T) {
	if r == nil {
		return
	}
	for _, ev := range m.Events {
		r.byEvent[ev] = append(r.byEvent[ev], route[T]{spec: m, inst: inst})
	}
}

// Events returns the event names routed so far, in no particular order;
// nil for a nil router.
func (r *Router[T]) Events() []string {
	if r == nil {
		return nil
	}
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
// A process.PID in a label's metadata is replaced by the process's
// stable name ([Names]): a router with labelled metrics also attaches to
// [TrackedEvents] to learn the supervision tree's paths.
//
// A router with no metrics (an exporter of node gauges only) attaches to
// the placeholder event id+".none", so that [Router.Detach] has a handler
// to detach. Attach returns the registry's error, for example
// telemetry.ErrAlreadyAttached when the id is taken, or an
// *[ArgumentError] for a nil router, a nil record or an empty id.
func (r *Router[T]) Attach(record func(inst T, v float64, labels []string)) error {
	switch {
	case r == nil:
		return badArg("Router.Attach", "receiver", "is nil")
	case record == nil:
		return badArg("Router.Attach", "record", "is nil")
	case r.id == "":
		return badArg("Router.Attach", "id", "is empty (NewRouter)")
	}
	events := r.Events()
	track := r.labelled()
	if track {
		for _, ev := range TrackedEvents {
			if _, routed := r.byEvent[ev]; !routed {
				events = append(events, ev)
			}
		}
	}
	if len(events) == 0 {
		events = []string{r.id + ".none"}
	}
	return r.tel.Attach(r.id, events, func(event string, ms telemetry.Measurements, md telemetry.Metadata) {
		if track {
			r.names.Observe(event, md)
		}
		routes := r.byEvent[event]
		for i := range routes {
			rt := &routes[i]
			v, ok := rt.spec.Value(ms)
			if !ok || !rt.spec.Matches(md) {
				continue
			}
			record(rt.inst, v, rt.spec.labelValues(event, md, r.names))
		}
	})
}

// labelled reports whether any routed metric has labels.
func (r *Router[T]) labelled() bool {
	for _, routes := range r.byEvent {
		for _, rt := range routes {
			if len(rt.spec.Labels) > 0 {
				return true
			}
		}
	}
	return false
}

// Detach detaches the router's handler. A handler that is no longer
// attached (the registry detaches a handler that panicked) is not an
// error; any other error of the registry is returned, and an
// *[ArgumentError] for a nil router.
func (r *Router[T]) Detach() error {
	if r == nil {
		return badArg("Router.Detach", "receiver", "is nil")
	}
	if err := r.tel.Detach(r.id); err != nil && !errors.Is(err, telemetry.ErrNotAttached) {
		return err
	}
	return nil
}
