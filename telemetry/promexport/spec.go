package promexport

import "github.com/seed-fe72f376/orchard/telemetry/metricmap"

// Kind is the Prometheus type a [Metric] is exported as: a counter, a
// gauge or a histogram. It is [metricmap.Kind].
type Kind = metricmap.Kind

// The kinds of [Metric].
const (
	// Counter adds the measurement (which must not be negative) to a
	// counter.
	Counter = metricmap.Counter
	// Gauge sets a gauge to the measurement.
	Gauge = metricmap.Gauge
	// Histogram observes the measurement.
	Histogram = metricmap.Histogram
)

// Label is one Prometheus label of a [Metric], taken from an event's
// metadata. It is [metricmap.Label].
type Label = metricmap.Label

// Metric maps telemetry events to one Prometheus metric: the mapping is
// data, so adding a metric means adding a value to the list given to
// [WithMetrics]. It is [metricmap.Metric], which documents the fields;
// a histogram without Buckets uses prometheus.DefBuckets.
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
// [metricmap.DefaultMetrics] with counters named with "_total":
//
//	orchard_processes_spawned_total{behaviour}           process spawns
//	orchard_processes_exited_total{normal}               process exits
//	orchard_process_lifetime_seconds                     lifetimes (histogram)
//	orchard_process_zombies_total                        zombies detected
//	orchard_call_timeouts_total                          GenServer call timeouts
//	orchard_supervisor_child_starts_total{supervisor}    child starts
//	orchard_supervisor_restarts_total{supervisor}        child restarts
//	orchard_supervisor_child_terminations_total{supervisor}
//	orchard_supervisor_start_failures_total{supervisor}
//	orchard_supervisor_intensity_reached_total{supervisor}
//	orchard_health_check_status_changes_total{check,to}  health transitions
//	orchard_health_service_status_changes_total{service,to}
//	orchard_health_check_duration_seconds{check}         check run times
//	orchard_sends_total{outcome}                         supervised sends
//	orchard_send_retries_total                           retried send attempts
//	orchard_dead_letters_total{action}                   dead letters added/removed
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
