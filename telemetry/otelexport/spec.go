package otelexport

import "github.com/seed-fe72f376/orchard/telemetry/metricmap"

// Kind is the OpenTelemetry instrument a [Metric] is exported as: a
// Float64Counter, a Float64Gauge or a Float64Histogram. It is
// [metricmap.Kind].
type Kind = metricmap.Kind

// The kinds of [Metric].
const (
	// Counter adds the measurement (which must not be negative) to a
	// Float64Counter.
	Counter = metricmap.Counter
	// Gauge records the measurement on a Float64Gauge.
	Gauge = metricmap.Gauge
	// Histogram records the measurement on a Float64Histogram.
	Histogram = metricmap.Histogram
)

// Label is one attribute of a [Metric], taken from an event's metadata;
// its Name is the attribute key. It is [metricmap.Label].
type Label = metricmap.Label

// Metric maps telemetry events to one OpenTelemetry instrument: the
// mapping is data, so adding a metric means adding a value to the list
// given to [WithMetrics]. It is [metricmap.Metric], which documents the
// fields, and the same type as promexport.Metric. Counters are named
// without the "_total" suffix, which Prometheus bridges add; a histogram
// without Buckets uses the SDK's default boundaries.
type Metric = metricmap.Metric

// Send and dead-letter event names counted by the default metrics (see
// [metricmap.DefaultSendEvents]).
var (
	DefaultSendEvents       = metricmap.DefaultSendEvents
	DefaultDeadLetterEvents = metricmap.DefaultDeadLetterEvents
)

// DefaultMetrics returns the metrics an [Exporter] exports unless
// [WithMetrics] replaces them; sendEvents and deadLetterEvents default to
// [DefaultSendEvents] and [DefaultDeadLetterEvents] when nil. They are
// [metricmap.DefaultMetrics] with counters named without "_total":
//
//	orchard_processes_spawned{behaviour}           process spawns
//	orchard_processes_exited{normal}               process exits
//	orchard_process_lifetime_seconds               lifetimes (histogram)
//	orchard_process_zombies                        zombies detected
//	orchard_call_timeouts                          GenServer call timeouts
//	orchard_supervisor_child_starts{supervisor}    child starts
//	orchard_supervisor_restarts{supervisor}        child restarts
//	orchard_supervisor_child_terminations{supervisor}
//	orchard_supervisor_start_failures{supervisor}
//	orchard_supervisor_intensity_reached{supervisor}
//	orchard_health_check_status_changes{check,to}  health transitions
//	orchard_health_service_status_changes{service,to}
//	orchard_health_check_duration_seconds{check}   check run times
//	orchard_sends{outcome}                         supervised sends
//	orchard_send_retries                           retried send attempts
//	orchard_dead_letters{action}                   dead letters added/removed
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
