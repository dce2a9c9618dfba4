package promexport

import "github.com/seed-fe72f376/orchard/telemetry/metricmap"

// Kind, Label and Metric are package metricmap's types, shared with
// package otelexport: a Metric written for one exporter works with the
// other. A Metric maps telemetry events to one Prometheus metric (the
// mapping is data: adding a metric means adding a value to the list given
// to [WithMetrics]); a Kind is the Prometheus type it is exported as; a
// Label is a Prometheus label taken from an event's metadata.
// [metricmap.Metric] documents the fields; a histogram without Buckets
// uses prometheus.DefBuckets.
type (
	Kind   = metricmap.Kind
	Label  = metricmap.Label
	Metric = metricmap.Metric
)

// The kinds of [Metric]: a counter adds the measurement (which must not
// be negative), a gauge is set to it, a histogram observes it.
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
// the list of [metricmap.DefaultMetrics], with counters named with
// "_total" (orchard_processes_spawned_total, orchard_sends_total, ...).
func DefaultMetrics(sendEvents, deadLetterEvents []string) []Metric {
	// This package's variables, not metricmap's, are the defaults, so a
	// program that reassigns them keeps the behaviour it had.
	if sendEvents == nil {
		sendEvents = DefaultSendEvents
	}
	if deadLetterEvents == nil {
		deadLetterEvents = DefaultDeadLetterEvents
	}
	return metricmap.DefaultMetrics(sendEvents, deadLetterEvents, "_total")
}
