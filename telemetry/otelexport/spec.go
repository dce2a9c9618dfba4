package otelexport

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Kind is the OpenTelemetry instrument a [Metric] is exported as.
type Kind int

const (
	// Counter adds the measurement (which must not be negative) to a
	// Float64Counter.
	Counter Kind = iota
	// Gauge records the measurement on a Float64Gauge.
	Gauge
	// Histogram records the measurement on a Float64Histogram.
	Histogram
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Counter:
		return "counter"
	case Gauge:
		return "gauge"
	case Histogram:
		return "histogram"
	}
	return "invalid"
}

// Label is one attribute of a [Metric], taken from an event's metadata.
type Label struct {
	// Name is the attribute key.
	Name string
	// Key is the metadata key holding the value ("" means Name). Values
	// are formatted with String for fmt.Stringers (PIDs, statuses), as
	// "true"/"false" for bools, and with fmt.Sprint otherwise; a missing
	// key gives "".
	Key string
	// FromEvent uses the last dotted segment of the event name when the
	// metadata has no Key ("orchard.send.delivered" → "delivered").
	FromEvent bool
}

func (l Label) key() string {
	if l.Key == "" {
		return l.Name
	}
	return l.Key
}

// Metric maps telemetry events to one OpenTelemetry instrument: the
// mapping is data, so adding a metric means adding a value to the list
// given to [WithMetrics]. It mirrors promexport.Metric field for field.
type Metric struct {
	// Name is the instrument name ("orchard_sends"). Counters carry no
	// "_total" suffix: Prometheus bridges add it.
	Name string
	// Help is the metric's help text.
	Help string
	// Kind is counter, gauge or histogram.
	Kind Kind
	// Events are the telemetry event names that update the metric.
	Events []string
	// Measurement is the event measurement used as value (default
	// "count"); an event without it is skipped, except that a counter
	// with no Measurement counts 1 for an event without "count" (package
	// send's events carry durations and attempts, not counts).
	Measurement string
	// Labels are filled from each event's metadata. Keep them bounded:
	// never the PID of an ordinary process (New rejects the keys "pid"
	// and "parent"); a supervisor's PID, a check's name, an outcome are
	// fine.
	Labels []Label
	// Match, if set, keeps only events whose metadata has these values
	// (compared with ==), e.g. {"restart": true}.
	Match map[string]any
	// Buckets are a histogram's explicit bucket boundaries (default: the
	// SDK's).
	Buckets []float64
}

var nameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// unboundedKeys are metadata keys whose values grow without bound.
var unboundedKeys = []string{"pid", "parent"}

func (m Metric) validate() error {
	switch {
	case !nameRE.MatchString(m.Name) || len(m.Name) > 255:
		return fmt.Errorf("%w: name %q", ErrInvalidMetric, m.Name)
	case len(m.Events) == 0 || slices.Contains(m.Events, ""):
		return fmt.Errorf("%w: %s: no events or an empty event name", ErrInvalidMetric, m.Name)
	case m.Kind < Counter || m.Kind > Histogram:
		return fmt.Errorf("%w: %s: kind %d", ErrInvalidMetric, m.Name, m.Kind)
	}
	for _, l := range m.Labels {
		if l.Name == "" {
			return fmt.Errorf("%w: %s: label name %q", ErrInvalidMetric, m.Name, l.Name)
		}
		if slices.Contains(unboundedKeys, l.key()) {
			return fmt.Errorf("%w: %s: label %q from %q has unbounded cardinality", ErrInvalidMetric, m.Name, l.Name, l.key())
		}
	}
	return nil
}

// value returns the value an event gives the metric, and false when the
// event does not carry it.
func (m Metric) value(ms telemetry.Measurements) (float64, bool) {
	if m.Measurement != "" {
		v, ok := ms[m.Measurement]
		return v, ok
	}
	if v, ok := ms["count"]; ok {
		return v, true
	}
	return 1, m.Kind == Counter
}

// matches reports whether md has the values of m.Match.
func (m Metric) matches(md telemetry.Metadata) bool {
	for k, want := range m.Match {
		if md[k] != want {
			return false
		}
	}
	return true
}

// labelValues formats the label values of one event.
func (m Metric) labelValues(event string, md telemetry.Metadata) []string {
	vals := make([]string, len(m.Labels))
	for i, l := range m.Labels {
		v, ok := md[l.key()]
		switch {
		case ok:
			vals[i] = format(v)
		case l.FromEvent:
			vals[i] = event[strings.LastIndexByte(event, '.')+1:]
		}
	}
	return vals
}

func format(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// Send and dead-letter event names counted by the default metrics. They
// follow the pattern "orchard.send.<outcome>" (metadata "outcome") of
// package send and "orchard.deadletter.<action>" of package deadletter.
var (
	DefaultSendEvents = []string{"orchard.send.delivered", "orchard.send.failed"}
	DefaultDeadLetterEvents = []string{"orchard.deadletter.added", "orchard.deadletter.removed"}
)

// DefaultMetrics returns the metrics an [Exporter] exports unless
// [WithMetrics] replaces them; sendEvents and deadLetterEvents default to
// [DefaultSendEvents] and [DefaultDeadLetterEvents] when nil. They are
// promexport's defaults, with counters named without "_total":
//
//	orchard_processes_spawned{behaviour}           process spawns
//	orchard_processes_exited{normal}               process exits
//	orchard_process_lifetime_seconds               lifetimes (histogram)
//	orchard_process_zombies                        zombies detected
//	orchard_supervisor_child_starts{supervisor}    child starts
//	orchard_supervisor_restarts{supervisor}        child restarts
//	orchard_supervisor_child_terminations{supervisor}
//	orchard_supervisor_start_failures{supervisor}
//	orchard_supervisor_intensity_reached{supervisor}
//	orchard_send_retries                         retried send attempts
//	orchard_sends{outcome}                         supervised sends
//	orchard_dead_letters{action}                   dead letters added/removed
//	orchard_health_check_status_changes{check,to}  health transitions
//	orchard_health_service_status_changes{service,to}
//	orchard_health_check_duration_seconds{check}   check run times
func DefaultMetrics(sendEvents, deadLetterEvents []string) []Metric {
	if sendEvents == nil {
		sendEvents = DefaultSendEvents
	}
	if deadLetterEvents == nil {
		deadLetterEvents = DefaultDeadLetterEvents
	}
	sup := []Label{{Name: "supervisor"}}
	ms := []Metric{
		{Name: "orchard_processes_spawned", Help: "Processes spawned.", Events: []string{telemetry.ProcessSpawned}, Labels: []Label{{Name: "behaviour"}}},
		{Name: "orchard_processes_exited", Help: "Processes exited, by whether the reason was normal or shutdown.", Events: []string{telemetry.ProcessExited}, Labels: []Label{{Name: "normal"}}},
		{Name: "orchard_process_lifetime_seconds", Help: "Lifetime of exited processes.", Kind: Histogram, Events: []string{telemetry.ProcessExited}, Measurement: "lifetime",
			Buckets: []float64{.001, .01, .1, 1, 10, 60, 600, 3600}},
		{Name: "orchard_process_zombies", Help: "Killed processes whose goroutine outlived the zombie grace.", Events: []string{telemetry.ProcessZombie}},
		{Name: "orchard_call_timeouts", Help: "GenServer calls that got no reply in time.", Events: []string{telemetry.GenServerCallTimeout}},
		{Name: "orchard_supervisor_child_starts", Help: "Children started by supervisors, restarts included.", Events: []string{telemetry.SupervisorChildStarted}, Labels: sup},
		{Name: "orchard_supervisor_restarts", Help: "Children restarted by supervisors.", Events: []string{telemetry.SupervisorChildStarted}, Labels: sup, Match: map[string]any{"restart": true}},
		{Name: "orchard_supervisor_child_terminations", Help: "Children stopped by supervisors.", Events: []string{telemetry.SupervisorChildTerminated}, Labels: sup},
		{Name: "orchard_supervisor_start_failures", Help: "Child start functions that failed.", Events: []string{telemetry.SupervisorStartFailed}, Labels: sup},
		{Name: "orchard_supervisor_intensity_reached", Help: "Supervisors that reached their maximum restart intensity.", Events: []string{telemetry.SupervisorIntensityReached}, Labels: sup},
		{Name: "orchard_health_check_status_changes", Help: "Health check status changes.", Events: []string{health.EventCheckStatusChanged},
			Labels: []Label{{Name: "check"}, {Name: "to"}}},
		{Name: "orchard_health_service_status_changes", Help: "Watched service status changes.", Events: []string{health.EventServiceStatusChanged},
			Labels: []Label{{Name: "service"}, {Name: "to"}}},
		{Name: "orchard_health_check_duration_seconds", Help: "Health check run times.", Kind: Histogram, Events: []string{health.EventCheckCompleted}, Measurement: "duration",
			Labels: []Label{{Name: "check"}}, Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10}},
	}
	if len(sendEvents) > 0 {
		ms = append(ms, Metric{Name: "orchard_sends", Help: "Supervised sends, by outcome: delivered, or the failure's outcome (noproc, timeout, crashed, ...).", Events: sendEvents, Labels: []Label{{Name: "outcome", FromEvent: true}}},
			Metric{Name: "orchard_send_retries", Help: "Send attempts that failed and were retried.", Events: []string{"orchard.send.retry"}})
	}
	if len(deadLetterEvents) > 0 {
		ms = append(ms, Metric{Name: "orchard_dead_letters", Help: "Dead letters added to or removed from the queue.", Events: deadLetterEvents, Labels: []Label{{Name: "action", FromEvent: true}}})
	}
	return ms
}
