package metricmap

import (
	"testing"

	"github.com/seed-fe72f376/orchard/agent"
)

// TestAgentEventNames keeps the event names spelled in defaults.go equal
// to package agent's constants (the package itself is not imported, so
// exporters do not link NATS).
func TestAgentEventNames(t *testing.T) {
	for got, want := range map[string]string{
		agentEventActionStop:    agent.EventActionStop,
		agentEventStatusChanged: agent.EventStatusChanged,
		agentEventCrashed:       agent.EventCrashed,
	} {
		if got != want {
			t.Errorf("metricmap spells %q, agent has %q", got, want)
		}
	}
}
