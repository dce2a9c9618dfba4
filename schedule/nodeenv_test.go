package schedule_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// TestSchedulerUsesTheNodesRegistry: a scheduler given no registry
// publishes on its node's (process.Config.Telemetry).
func TestSchedulerUsesTheNodesRegistry(t *testing.T) {
	reg := telemetry.New()
	added := make(chan telemetry.Metadata, 1)
	if err := reg.Attach("added", []string{schedule.EventAdded}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		added <- md
	}); err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t, process.Config{Telemetry: reg})
	s, err := schedule.Start(node)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.After(context.Background(), time.Hour, otptest.SpawnIdle(t, node), "tick")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case md := <-added:
		if md["id"] != id {
			t.Errorf("EventAdded id = %v; want %v", md["id"], id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no EventAdded on the node's registry")
	}
}
