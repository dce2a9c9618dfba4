package promexport

import "errors"

var (
	// ErrInvalidMetric is matched by the error of [New] for a bad
	// [Metric]: a malformed name or label, no events, an unknown kind, or
	// a label from an unbounded key ("pid", "parent").
	ErrInvalidMetric = errors.New("promexport: invalid metric")
	// ErrClosed is returned by a second [Exporter.Close].
	ErrClosed = errors.New("promexport: exporter closed")
)
