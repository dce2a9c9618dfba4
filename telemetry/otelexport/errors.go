package otelexport

import "errors"

var (
	// ErrInvalidMetric is matched by the error of [New] for a bad
	// [Metric]: a malformed name, an empty label name, no events, an
	// unknown kind, or a label from an unbounded key ("pid", "parent"),
	// and for a nil MeterProvider.
	ErrInvalidMetric = errors.New("otelexport: invalid metric")
	// ErrClosed is returned by a second [Exporter.Close].
	ErrClosed = errors.New("otelexport: exporter closed")
)
