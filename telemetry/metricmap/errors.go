package metricmap

import "errors"

// ErrInvalidMetric is matched by the error of [Metric.Validate] for a bad
// [Metric]: a malformed or too long name, a malformed label name, no
// events or an empty event name, an unknown kind, or a label from an
// unbounded metadata key ("pid", "parent"). Package promexport and
// otelexport re-export it as their own ErrInvalidMetric.
var ErrInvalidMetric = errors.New("metricmap: invalid metric")
