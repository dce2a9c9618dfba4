package monitors_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/monitors"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// TestManagerUsesTheNodesRegistry: a manager given no registry publishes
// on its node's (process.Config.Telemetry).
func TestManagerUsesTheNodesRegistry(t *testing.T) {
	reg := telemetry.New()
	created := 0
	if err := reg.Attach("created", []string{monitors.EventCreated}, func(string, telemetry.Measurements, telemetry.Metadata) {
		created++
	}); err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t, process.Config{Telemetry: reg})
	m, err := monitors.New(node, monitors.WithoutChecker())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Monitor(otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), "t"); err != nil {
		t.Fatal(err)
	}
	if created != 1 {
		t.Errorf("EventCreated on the node's registry %d times; want 1", created)
	}
}
