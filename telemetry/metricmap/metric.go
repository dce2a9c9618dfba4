package metricmap

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Kind is the kind of instrument a [Metric] is exported as.
type Kind int

const (
	// Counter adds the measurement (which must not be negative) to a
	// monotonic counter.
	Counter Kind = iota
	// Gauge sets a gauge to the measurement.
	Gauge
	// Histogram observes the measurement.
	Histogram
)

// String names the kind: "counter", "gauge", "histogram", or "invalid".
func (k Kind) String() string {
	switch k {
	case Counter:
		return "counter"
	case Gauge:
		return "gauge"
	case Histogram:
		return "histogram"
	}
	return "invalid"
}

// Label is one label (an attribute, in OpenTelemetry's words) of a
// [Metric], taken from an event's metadata.
type Label struct {
	// Name is the label name.
	Name string
	// Key is the metadata key holding the value ("" means Name). Values
	// are formatted as the stable name of the process for a process.PID
	// (its registered name, its supervision tree path or its behaviour:
	// see [Names]; never the PID, which changes at every restart), with
	// String for other fmt.Stringers (statuses), as "true"/"false" for
	// bools, and with fmt.Sprint otherwise; a missing key gives "".
	Key string
	// FromEvent uses the last dotted segment of the event name when the
	// metadata has no Key ("orchard.send.delivered" → "delivered").
	FromEvent bool
}

func (l Label) key() string {
	if l.Key == "" {
		return l.Name
	}
	return l.Key
}

// Metric maps telemetry events to one metric: the mapping is data, so
// adding a metric means adding a value to the list an exporter is given.
type Metric struct {
	// Name is the full metric name ("orchard_sends_total" for
	// Prometheus, "orchard_sends" for OpenTelemetry, whose Prometheus
	// bridges add the suffix).
	Name string
	// Help is the metric's help text (an instrument's description).
	Help string
	// Kind is counter, gauge or histogram.
	Kind Kind
	// Events are the telemetry event names that update the metric.
	Events []string
	// Measurement is the event measurement used as value (default
	// "count"); an event without it is skipped, except that a counter
	// with no Measurement counts 1 for an event without "count" (package
	// send's events carry durations and attempts, not counts).
	Measurement string
	// Labels are filled from each event's metadata. Keep them bounded:
	// not one per process ([Metric.Validate] rejects the keys "pid" and
	// "parent"); a supervisor (labelled by its stable name, see [Label]),
	// a check's name, an outcome are fine.
	Labels []Label
	// Match, if set, keeps only events whose metadata has these values
	// (compared with ==), e.g. {"restart": true}.
	Match map[string]any
	// Buckets are a histogram's bucket upper bounds (default: the
	// exporter's, prometheus.DefBuckets or the OpenTelemetry SDK's).
	Buckets []float64
}

// MaxNameLen is the longest metric name [Metric.Validate] accepts, in
// bytes: OpenTelemetry's instrument name limit.
const MaxNameLen = 255

// nameRE is Prometheus's metric name syntax; OpenTelemetry's instrument
// name syntax allows more ('.', '-', '/'), so names valid here are valid
// for both.
var nameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// labelRE is Prometheus's label name syntax: a metric name without
// colons.
var labelRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// unboundedKeys are metadata keys whose values grow without bound.
var unboundedKeys = []string{"pid", "parent"}

// Validate checks m against the strictest rule of the exporters: a name
// in Prometheus syntax of at most [MaxNameLen] bytes, at least one event
// and no empty event name, a known [Kind], label names in Prometheus
// syntax (no colons) without the reserved "__" prefix, and no label from
// the unbounded metadata keys "pid" and "parent". Its errors match
// [ErrInvalidMetric].
func (m Metric) Validate() error {
	switch {
	case !nameRE.MatchString(m.Name) || len(m.Name) > MaxNameLen:
		return invalidMetric("m.Name", "name %q", m.Name)
	case len(m.Events) == 0 || slices.Contains(m.Events, ""):
		return invalidMetric("m.Events", "%s: no events or an empty event name", m.Name)
	case m.Kind < Counter || m.Kind > Histogram:
		return invalidMetric("m.Kind", "%s: kind %d", m.Name, m.Kind)
	}
	for _, l := range m.Labels {
		if !labelRE.MatchString(l.Name) || strings.HasPrefix(l.Name, "__") {
			return invalidMetric("m.Labels", "%s: label name %q", m.Name, l.Name)
		}
		if slices.Contains(unboundedKeys, l.key()) {
			return invalidMetric("m.Labels", "%s: label %q from %q has unbounded cardinality", m.Name, l.Name, l.key())
		}
	}
	return nil
}

// Value returns the value an event with measurements ms gives the
// metric, and false when the event does not carry it (see
// [Metric.Measurement]).
func (m Metric) Value(ms telemetry.Measurements) (float64, bool) {
	if m.Measurement != "" {
		v, ok := ms[m.Measurement]
		return v, ok
	}
	if v, ok := ms["count"]; ok {
		return v, true
	}
	return 1, m.Kind == Counter
}

// Matches reports whether md has the values of [Metric.Match]; a metric
// without Match matches every event.
func (m Metric) Matches(md telemetry.Metadata) bool {
	for k, want := range m.Match {
		if md[k] != want {
			return false
		}
	}
	return true
}

// LabelNames returns the names of m's labels, in order.
func (m Metric) LabelNames() []string {
	names := make([]string, len(m.Labels))
	for i, l := range m.Labels {
		names[i] = l.Name
	}
	return names
}

// LabelValues formats the values of m's labels for one event, in the
// order of [Metric.Labels] (see [Label] for the formatting). It knows no
// supervision tree paths: a [Router] formats with its own [Names], which
// does.
func (m Metric) LabelValues(event string, md telemetry.Metadata) []string {
	return m.labelValues(event, md, nil)
}

func (m Metric) labelValues(event string, md telemetry.Metadata, names *Names) []string {
	vals := make([]string, len(m.Labels))
	for i, l := range m.Labels {
		v, ok := md[l.key()]
		switch {
		case ok:
			if pid, isPID := v.(process.PID); isPID {
				role := ""
				if l.key() == supervisorRole {
					role = supervisorRole
				}
				vals[i] = names.NameAs(pid, role)
				continue
			}
			vals[i] = format(v)
		case l.FromEvent:
			vals[i] = event[strings.LastIndexByte(event, '.')+1:]
		}
	}
	return vals
}

func format(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}
