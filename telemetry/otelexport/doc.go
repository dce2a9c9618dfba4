// Package otelexport implements an OpenTelemetry metrics exporter for
// Orchard's telemetry events: it attaches a handler to a telemetry
// registry and records the runtime's, the supervisors', the health
// monitors' and the send/dead-letter events on instruments of a
// metric.MeterProvider the application provides, plus observable gauges
// read from a node at each collection.
//
// # Foundation mapping
//
// There is no OTP module for this; Elixir Foundation's telemetry layer
// reports metrics with Elixir's Telemetry.Metrics, whose OpenTelemetry
// reporter (opentelemetry_telemetry) this package plays:
//
//	Foundation (Elixir)                    Orchard
//	-------------------------------------  ---------------------------------------
//	Telemetry.Metrics.counter/2            Metric{Kind: Counter}  → Float64Counter
//	Telemetry.Metrics.last_value/2         Metric{Kind: Gauge}    → Float64Gauge
//	Telemetry.Metrics.distribution/2       Metric{Kind: Histogram} → Float64Histogram
//	:tags                                  Metric.Labels → attributes
//	:keep / :drop                          Metric.Match
//	:telemetry_poller VM measurements      WithNode (observable gauges)
//
// # Semantics
//
// The mapping is package metricmap's, shared with package promexport:
// [Metric] is metricmap.Metric (and promexport.Metric), validated by the
// same rules, with the same defaults ([DefaultMetrics]), except that
// counters are named without the "_total" suffix, which Prometheus
// bridges add. Events are
// recorded synchronously in the emitter's goroutine; labels become
// attributes and are bounded the same way (New rejects labels from the
// metadata keys "pid" and "parent"). [WithNode] registers one callback
// that reads the node's Stats, and optionally walks its mailboxes, when a
// reader collects.
//
// The exporter starts no goroutine. Whether anything runs in the
// background is the MeterProvider's business: a ManualReader runs
// nothing, a PeriodicReader runs its own goroutine until the provider's
// Shutdown. [Exporter.Close] detaches the handler and unregisters the
// node callback; the instruments stay in the provider, since
// OpenTelemetry cannot remove them.
//
// # Differences from Foundation
//
// Instruments are created once, when the exporter is created. Counters
// ignore negative measurements. Names follow Prometheus syntax (and at
// most 255 bytes), stricter than OpenTelemetry's, so that one mapping
// serves both exporters. The shared mapping lives in package metricmap,
// which imports no metrics library, so an OpenTelemetry-only program does
// not link client_golang.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): a nil
// MeterProvider, option or node, an empty handler id and a bad [Metric]
// give an error matching [ErrInvalidArgument] (a bad metric or a nil
// MeterProvider [ErrInvalidMetric] as well), a stopped node
// process.ErrNodeStopped, and no handler stays attached. Close on a nil
// *[Exporter] returns the error too.
//
// # Example
//
//	reader := sdkmetric.NewManualReader()
//	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//	defer mp.Shutdown(ctx)
//	tel := telemetry.New()
//	node, _ := process.NewNode(bridge.NodeEvents(tel))
//	exp, _ := otelexport.New(tel, mp, otelexport.WithNode(node))
//	defer exp.Close()
package otelexport
