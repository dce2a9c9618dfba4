// Package metricmap implements the declarative mapping from Orchard's
// telemetry events to metrics that Orchard's exporters share: the
// [Metric] and [Label] data types, their validation, the evaluation of
// one event against a metric ([Metric.Value], [Metric.Matches],
// [Metric.LabelValues]), the default metrics ([DefaultMetrics]) and a
// [Router] that attaches one telemetry handler and records events on the
// exporter's instruments.
//
// Package promexport (Prometheus) and package otelexport (OpenTelemetry)
// re-export these types under their own names (promexport.Metric is
// metricmap.Metric), so a mapping written for one works for the other.
// They take the same options as well: their Option is [Option], built by
// [WithMetrics], [WithNode], [WithMailboxScan] and [WithHandlerID], and
// applied and checked by [Configure]. The default metrics name each event
// by the constant its emitting package declares (bridge.EventProcessExited,
// send.EventDelivered, health.EventCheckCompleted, ...).
// This package imports neither library: an OpenTelemetry-only program
// does not link client_golang, and the other way round.
//
// # Mapping
//
// There is no OTP module for this; Elixir Foundation's telemetry layer
// declares metrics with Elixir's Telemetry.Metrics:
//
//	Foundation (Elixir)                    Orchard
//	-------------------------------------  ---------------------------------------
//	Telemetry.Metrics.counter/2            Metric{Kind: Counter}
//	Telemetry.Metrics.last_value/2         Metric{Kind: Gauge}
//	Telemetry.Metrics.distribution/2       Metric{Kind: Histogram, Buckets}
//	:tags / :tag_values                    Metric.Labels ([]Label from metadata)
//	:keep / :drop                          Metric.Match
//	:measurement                           Metric.Measurement
//	:event_name                            Metric.Events
//	reporter's handle_event/4              Router (one handler per exporter)
//	(none: tags are terms)                 Names (a process's stable label value)
//
// # Semantics
//
// A [Metric] names the events that update it. For each such event the
// value is the measurement [Metric.Measurement] ("count" by default; a
// counter without Measurement counts 1 for an event without "count"); an
// event without it, or whose metadata does not match [Metric.Match], is
// skipped. Label values come from the metadata, formatted as strings;
// [Label.FromEvent] falls back to the event name's last segment, which
// is how "orchard.send.<outcome>" becomes an outcome label whether or not
// the emitter sets the "outcome" metadata.
//
// [Metric.Validate] applies the strictest rule of both exporters:
// Prometheus name syntax, at most 255 bytes (OpenTelemetry's limit),
// Prometheus label names without the reserved "__" prefix, and no label
// from the metadata keys "pid" and "parent", whose values grow without
// bound. The [Router] starts no goroutine: its handler runs in the
// emitter's goroutine.
//
// A label whose metadata value is a process.PID (the "supervisor" of the
// supervisor events) is never labelled by the PID, which changes at every
// restart and would open a series each time: [Names] gives the process's
// registered name, else its path in the supervision tree
// ("root/pipeline"), learnt from the supervisor events the Router sees,
// else its role or behaviour. A restart therefore records on the series
// that existed before it.
//
// Bad input follows docs/ERRORS.md: [Metric.Validate]'s errors and those
// of a nil [Router], a nil record function or an empty handler id match
// [ErrInvalidArgument]; functions without an error result do nothing on
// nil input, as documented on each.
//
// # Differences from Foundation
//
// Metrics are declared once, when an exporter is created. Counter names
// carry their exporter's convention: [DefaultMetrics] takes the suffix
// ("_total" for Prometheus, none for OpenTelemetry).
//
// # Example
//
//	m := metricmap.Metric{
//		Name: "myapp_cache_misses_total", Kind: metricmap.Counter,
//		Events: []string{"myapp.cache.miss"}, Labels: []metricmap.Label{{Name: "cache"}},
//	}
//	if err := m.Validate(); err != nil { ... }
//	v, _ := m.Value(telemetry.Measurements{"count": 1}) // 1
//	labels := m.LabelValues("myapp.cache.miss",
//		telemetry.Metadata{"cache": "users"}) // ["users"]
package metricmap
