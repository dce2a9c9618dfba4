package otelexport

import (
	"errors"

	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

var (
	// ErrInvalidMetric is matched by the error of [New] for a bad
	// [Metric] (see [metricmap.Metric.Validate]: a malformed or too long
	// name, a malformed label name, no events, an unknown kind, or a
	// label from an unbounded key such as "pid"), and for a nil
	// MeterProvider. It is [metricmap.ErrInvalidMetric].
	ErrInvalidMetric = metricmap.ErrInvalidMetric
	// ErrClosed is returned by a second [Exporter.Close].
	ErrClosed = errors.New("otelexport: exporter closed")
)
