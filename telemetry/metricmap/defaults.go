package metricmap

import (
	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

// Send and dead-letter event names counted by the default metrics:
// package send's send.EventDelivered and send.EventFailed (metadata
// "outcome"), and package deadletter's deadletter.EventAdded and
// deadletter.EventRemoved.
var (
	DefaultSendEvents       = []string{send.EventDelivered, send.EventFailed}
	DefaultDeadLetterEvents = []string{deadletter.EventAdded, deadletter.EventRemoved}
)

// DefaultMetrics returns the metrics Orchard's exporters export by
// default; sendEvents and deadLetterEvents default to [DefaultSendEvents]
// and [DefaultDeadLetterEvents] when nil, and an empty list drops the
// metrics counting them. Counter names end in counterSuffix: "_total" for
// Prometheus, "" for OpenTelemetry, whose Prometheus bridges add it.
//
//	orchard_processes_spawned<suffix>{behaviour}           process spawns
//	orchard_processes_exited<suffix>{normal}               process exits
//	orchard_process_lifetime_seconds                       lifetimes (histogram)
//	orchard_process_zombies<suffix>                        zombies detected
//	orchard_call_timeouts<suffix>                          GenServer call timeouts
//	orchard_supervisor_child_starts<suffix>{supervisor}    child starts
//	orchard_supervisor_restarts<suffix>{supervisor}        child restarts
//	orchard_supervisor_child_terminations<suffix>{supervisor}
//	orchard_supervisor_start_failures<suffix>{supervisor}
//	orchard_supervisor_intensity_reached<suffix>{supervisor}
//	orchard_health_check_status_changes<suffix>{check,to}  health transitions
//	orchard_health_service_status_changes<suffix>{service,to}
//	orchard_health_check_duration_seconds{check}           check run times (histogram)
//	orchard_agent_actions<suffix>{kind,action,outcome}     agent actions run
//	orchard_agent_action_duration_seconds{kind,action}     action run times (histogram)
//	orchard_agent_status_changes<suffix>{kind,to}          agent status transitions
//	orchard_agent_crashes<suffix>{kind}                    agent crashes
//	orchard_sends<suffix>{outcome}                         supervised sends
//	orchard_send_retries<suffix>                           retried send attempts
//	orchard_dead_letters<suffix>{action}                   dead letters added/removed
//	orchard_deadletter_lost<suffix>{bucket}                records a dead-letter store lost while closed
//
// The supervisor label is the supervisor's stable name (its registered
// name, else its path in the supervision tree, else its behaviour; see
// [Names]), never its PID, so restarts keep the same series.
func DefaultMetrics(sendEvents, deadLetterEvents []string, counterSuffix string) []Metric {
	if sendEvents == nil {
		sendEvents = DefaultSendEvents
	}
	if deadLetterEvents == nil {
		deadLetterEvents = DefaultDeadLetterEvents
	}
	ms := append(runtimeMetrics(), healthMetrics()...)
	ms = append(ms, agentMetrics()...)
	if len(sendEvents) > 0 {
		ms = append(ms,
			Metric{Name: "orchard_sends", Help: "Supervised sends, by outcome: delivered, or the failure's outcome (noproc, timeout, crashed, ...).",
				Events: sendEvents, Labels: []Label{{Name: "outcome", FromEvent: true}}},
			Metric{Name: "orchard_send_retries", Help: "Send attempts that failed and were retried.", Events: []string{send.EventRetry}})
	}
	if len(deadLetterEvents) > 0 {
		ms = append(ms, Metric{Name: "orchard_dead_letters", Help: "Dead letters added to or removed from the queue.",
			Events: deadLetterEvents, Labels: []Label{{Name: "action", FromEvent: true}}})
	}
	ms = append(ms, Metric{Name: "orchard_deadletter_lost",
		Help:   "Records a durable dead-letter store lost while it was closed (a damaged or truncated file), counted at every open until acknowledged.",
		Events: []string{deadletter.EventLost}, Labels: []Label{{Name: "bucket"}}})
	for i := range ms {
		if ms[i].Kind == Counter {
			ms[i].Name += counterSuffix
		}
	}
	return ms
}

// runtimeMetrics are the default metrics of the process, genserver and
// supervisor events, with counters named without a suffix.
func runtimeMetrics() []Metric {
	sup := []Label{{Name: "supervisor"}}
	return []Metric{
		{Name: "orchard_processes_spawned", Help: "Processes spawned.", Events: []string{bridge.EventProcessSpawned}, Labels: []Label{{Name: "behaviour"}}},
		{Name: "orchard_processes_exited", Help: "Processes exited, by whether the reason was normal or shutdown.", Events: []string{bridge.EventProcessExited}, Labels: []Label{{Name: "normal"}}},
		{Name: "orchard_process_lifetime_seconds", Help: "Lifetime of exited processes.", Kind: Histogram, Events: []string{bridge.EventProcessExited}, Measurement: "lifetime",
			Buckets: []float64{.001, .01, .1, 1, 10, 60, 600, 3600}},
		{Name: "orchard_process_zombies", Help: "Killed processes whose goroutine outlived the zombie grace.", Events: []string{bridge.EventProcessZombie}},
		{Name: "orchard_call_timeouts", Help: "GenServer calls that got no reply in time.", Events: []string{genserver.EventCallTimeout}},
		{Name: "orchard_calls_dropped", Help: "GenServer calls and deliveries discarded unhandled because their callers had given up.",
			Events: []string{genserver.EventCallDropped}, Labels: []Label{{Name: "delivery"}}},
		{Name: "orchard_supervisor_child_starts", Help: "Children started by supervisors, restarts included.", Events: []string{supervisor.EventChildStarted}, Labels: sup},
		{Name: "orchard_supervisor_restarts", Help: "Children restarted by supervisors.", Events: []string{supervisor.EventChildStarted}, Labels: sup, Match: map[string]any{"restart": true}},
		{Name: "orchard_supervisor_child_terminations", Help: "Children stopped by supervisors.", Events: []string{supervisor.EventChildTerminated}, Labels: sup},
		{Name: "orchard_supervisor_start_failures", Help: "Child start functions that failed.", Events: []string{supervisor.EventStartFailed}, Labels: sup},
		{Name: "orchard_supervisor_intensity_reached", Help: "Supervisors that reached their maximum restart intensity.", Events: []string{supervisor.EventIntensityReached}, Labels: sup},
	}
}

// healthMetrics are the default metrics of package health's events, with
// counters named without a suffix.
func healthMetrics() []Metric {
	return []Metric{
		{Name: "orchard_health_check_status_changes", Help: "Health check status changes.", Events: []string{health.EventCheckStatusChanged},
			Labels: []Label{{Name: "check"}, {Name: "to"}}},
		{Name: "orchard_health_service_status_changes", Help: "Watched service status changes.", Events: []string{health.EventServiceStatusChanged},
			Labels: []Label{{Name: "service"}, {Name: "to"}}},
		{Name: "orchard_health_check_duration_seconds", Help: "Health check run times.", Kind: Histogram, Events: []string{health.EventCheckCompleted}, Measurement: "duration",
			Labels: []Label{{Name: "check"}}, Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10}},
	}
}

// Package agent's telemetry events, spelled here because importing
// package agent would link NATS into every exporter (agent schedules
// through package schedule); a test checks they equal agent's constants.
const (
	agentEventActionStop    = "orchard.agent.action.stop"
	agentEventStatusChanged = "orchard.agent.status.changed"
	agentEventCrashed       = "orchard.agent.crashed"
)

// agentMetrics are the default metrics of package agent's events, labelled
// by kind and action (never by agent id, which would grow without bound;
// per-agent figures are agent.System.AgentStats), with counters named
// without a suffix.
func agentMetrics() []Metric {
	ka := []Label{{Name: "kind"}, {Name: "action"}}
	return []Metric{
		{Name: "orchard_agent_actions", Help: "Agent actions run, by kind, action and outcome (ok or error).", Events: []string{agentEventActionStop},
			Labels: []Label{{Name: "kind"}, {Name: "action"}, {Name: "outcome"}}},
		{Name: "orchard_agent_action_duration_seconds", Help: "Agent action run times.", Kind: Histogram, Events: []string{agentEventActionStop}, Measurement: "duration",
			Labels: ka, Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5}},
		{Name: "orchard_agent_status_changes", Help: "Agent status changes, by kind and new status.", Events: []string{agentEventStatusChanged},
			Labels: []Label{{Name: "kind"}, {Name: "to"}}},
		{Name: "orchard_agent_crashes", Help: "Agent crashes, by kind.", Events: []string{agentEventCrashed}, Labels: []Label{{Name: "kind"}}},
	}
}
