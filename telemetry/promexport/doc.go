// Package promexport implements a Prometheus exporter for Orchard's
// telemetry events: it attaches a handler to a telemetry registry and
// turns the runtime's, the supervisors', the health monitors' and the
// send/dead-letter events into orchard_... metrics on a
// prometheus.Registerer, plus gauges read from a node on every scrape.
//
// # Foundation mapping
//
// There is no OTP module for this; Elixir Foundation's telemetry layer
// exports metrics with Elixir's Telemetry.Metrics and a Prometheus
// reporter:
//
//	Foundation (Elixir)                           Orchard
//	--------------------------------------------  -------------------------------------
//	Telemetry.Metrics.counter/2                   Metric{Kind: Counter}
//	Telemetry.Metrics.last_value/2                Metric{Kind: Gauge}
//	Telemetry.Metrics.distribution/2              Metric{Kind: Histogram, Buckets}
//	:tags / :tag_values                           Metric.Labels ([]Label from metadata)
//	:keep / :drop                                 Metric.Match
//	:measurement                                  Metric.Measurement
//	TelemetryMetricsPrometheus.init/2             New(tel, prometheus.Registerer, ...)
//	:telemetry_poller VM measurements             NewNodeCollector (read on scrape)
//
// # Semantics
//
// The mapping from events to metrics is data: a list of [Metric] values
// ([DefaultMetrics], or your own with [WithMetrics]). The mapping types
// and rules are package metricmap's, shared with package otelexport
// ([Metric] is metricmap.Metric); this package turns them into
// Prometheus collectors. Each event updates
// every metric listing it, synchronously in the emitter's goroutine: a
// counter adds the measurement ("count" by default), a gauge is set to it,
// a histogram observes it; an event without the measurement, or whose
// metadata does not match [Metric.Match], is skipped. Label values come
// from the event's metadata; [Label.FromEvent] falls back to the event
// name's last segment, which is how "orchard.send.<outcome>" becomes
// orchard_sends_total{outcome="..."} whether or not the emitter sets the
// "outcome" metadata.
//
// Cardinality is bounded by construction: labels are supervisor PIDs,
// behaviours, check names, outcomes, never the PID of an ordinary process
// (New rejects labels from the metadata keys "pid" and "parent"). Live
// processes, zombies, timers, workers and dropped messages are gauges
// read from the node's Stats on each scrape ([WithNode]); mailbox lengths
// are the sum and the maximum over all processes and one series per
// registered name, found by walking the node's processes on each scrape
// ([WithMailboxScan] turns that off).
//
// The exporter starts no goroutine; [Exporter.Close] detaches the handler
// and unregisters the metrics. Serve the registry with promhttp.HandlerFor.
//
// # Differences from Foundation
//
// Metrics are declared once when the exporter is created and are not
// added while it runs. Counters ignore negative measurements instead of
// failing. The default send and dead-letter event lists
// ([DefaultSendEvents], [DefaultDeadLetterEvents]) can be replaced with
// DefaultMetrics' arguments, for emitters that name their events
// differently.
//
// # Dependencies
//
// This package and otelexport are the only Orchard packages that import
// third-party metrics libraries, and they are leaves: nothing in Orchard
// imports them, so an application pays for them only if it exports
// metrics. The mapping they share lives in package metricmap, which
// imports neither library, so an OpenTelemetry-only program does not
// link client_golang. github.com/prometheus/client_golang is the reference
// implementation of the Prometheus exposition format and registry (text
// and OpenMetrics negotiation, collector consistency checks); writing
// either by hand would be a second, less-tested copy.
// go.opentelemetry.io/otel/metric and otel/sdk/metric are the official
// OpenTelemetry API and SDK: an application hands its own MeterProvider
// (OTLP, Prometheus bridge, stdout) to otelexport, and Orchard stays out of
// exporter and transport choices.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): a nil
// Registerer, option or node, an empty handler id and a bad [Metric] give
// an error matching [ErrInvalidArgument] (a bad metric or a nil Registerer
// [ErrInvalidMetric] as well), a stopped node process.ErrNodeStopped, and
// nothing stays registered or attached. Close on a nil *[Exporter] returns
// the error too.
//
// # Example
//
//	tel := telemetry.New()
//	node, _ := process.NewNode(bridge.NodeEvents(tel))
//	reg := prometheus.NewRegistry()
//	exp, _ := promexport.New(tel, reg, promexport.WithNode(node))
//	defer exp.Close()
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
package promexport
