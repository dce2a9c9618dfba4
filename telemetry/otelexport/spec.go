package otelexport

import "github.com/seed-fe72f376/orchard/telemetry/metricmap"

// Kind, Label and Metric are package metricmap's types, shared with
// package promexport: a Metric written for one exporter works with the
// other. A Metric maps telemetry events to one OpenTelemetry instrument
// (the mapping is data: adding a metric means adding a value to the list
// given to [WithMetrics]); a Kind is the instrument it is exported as (a
// Float64Counter, Float64Gauge or Float64Histogram); a Label is an
// attribute taken from an event's metadata. [metricmap.Metric] documents
// the fields; a histogram without Buckets uses the SDK's default
// boundaries.
type (
	Kind   = metricmap.Kind
	Label  = metricmap.Label
	Metric = metricmap.Metric
)

// The kinds of [Metric]: a counter adds the measurement (which must not
// be negative), a gauge records it, a histogram records it.
const (
	Counter   = metricmap.Counter
	Gauge     = metricmap.Gauge
	Histogram = metricmap.Histogram
)

// Send and dead-letter event names counted by the default metrics (see
// [metricmap.DefaultSendEvents]).
var (
	DefaultSendEvents       = metricmap.DefaultSendEvents
	DefaultDeadLetterEvents = metricmap.DefaultDeadLetterEvents
)

// DefaultMetrics returns the metrics an [Exporter] exports unless
// [WithMetrics] replaces them; sendEvents and deadLetterEvents default to
// [DefaultSendEvents] and [DefaultDeadLetterEvents] when nil. They are
// the list of [metricmap.DefaultMetrics], with counters named without
// "_total" (orchard_processes_spawned, orchard_sends, ...), which
// Prometheus bridges add.
func DefaultMetrics(sendEvents, deadLetterEvents []string) []Metric {
	// This package's variables, not metricmap's, are the defaults, so a
	// program that reassigns them keeps the behaviour it had.
	if sendEvents == nil {
		sendEvents = DefaultSendEvents
	}
	if deadLetterEvents == nil {
		deadLetterEvents = DefaultDeadLetterEvents
	}
	return metricmap.DefaultMetrics(sendEvents, deadLetterEvents, "")
}
