package metricmap

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// ErrInvalidMetric is matched by the error of [Metric.Validate] for a bad
// [Metric]: a malformed or too long name, a malformed label name, no
// events or an empty event name, an unknown kind, or a label from an
// unbounded metadata key ("pid", "parent"). Package promexport and
// otelexport re-export it as their own ErrInvalidMetric. Such an error is
// bad input as well: it matches [ErrInvalidArgument] and is an
// *[ArgumentError] (errors.As).
var ErrInvalidMetric = errors.New("metricmap: invalid metric")

// invalidMetricError is [Metric.Validate]'s error: its text is
// "metricmap: invalid metric: <detail>", it matches [ErrInvalidMetric],
// and it unwraps to the *ArgumentError of the bad field.
type invalidMetricError struct {
	detail string
	arg    *argerr.Error
}

func (e *invalidMetricError) Error() string        { return ErrInvalidMetric.Error() + ": " + e.detail }
func (e *invalidMetricError) Unwrap() error        { return e.arg }
func (e *invalidMetricError) Is(target error) bool { return target == ErrInvalidMetric }

// invalidMetric returns the error for field of a metric, with a detail
// formatted as fmt.Sprintf does.
func invalidMetric(field, format string, args ...any) error {
	detail := fmt.Sprintf(format, args...)
	return &invalidMetricError{detail: detail, arg: &argerr.Error{Op: "metricmap: Metric.Validate", Arg: field, Reason: detail}}
}

// badArg returns the *ArgumentError of op ("Router.Attach").
func badArg(op, arg, reason string) error { return argerr.New("metricmap: "+op, arg, reason) }

// NilTarget returns the error of an exporter's function op given a nil
// arg, the place metrics go to (a prometheus.Registerer, an OpenTelemetry
// MeterProvider): an *[ArgumentError] that matches [ErrInvalidMetric]
// too, as the exporters documented before the bad-input contract.
func NilTarget(op, arg string) error {
	return argerr.Also(ErrInvalidMetric, op, arg, "is nil")
}

// metricError is a bad metric given to an exporter: it matches
// ErrInvalidArgument, and through Unwrap the Validate error (so
// ErrInvalidMetric).
type metricError struct{ err error }

func (e *metricError) Error() string        { return e.err.Error() }
func (e *metricError) Is(target error) bool { return target == ErrInvalidArgument }
func (e *metricError) Unwrap() error        { return e.err }
