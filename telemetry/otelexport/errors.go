package otelexport

import (
	"errors"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md). Every error
// of New matching [ErrInvalidMetric] matches it too.
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

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
