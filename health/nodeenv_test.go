package health_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// TestMonitorUsesTheNodesRegistry: a health monitor given no registry
// publishes on its node's (process.Config.Telemetry).
func TestMonitorUsesTheNodesRegistry(t *testing.T) {
	reg := telemetry.New()
	done := make(chan telemetry.Metadata, 1)
	if err := reg.Attach("done", []string{health.EventCheckCompleted}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		select {
		case done <- md:
		default:
		}
	}); err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t, process.Config{Telemetry: reg})
	ok := func(context.Context) error { return nil }
	if _, err := health.Start(node, health.Config{Checks: []health.Check{{Name: "db", Func: ok, Interval: time.Hour}}}); err != nil {
		t.Fatal(err)
	}
	select {
	case md := <-done:
		if md["check"] != "db" {
			t.Errorf("EventCheckCompleted check = %v; want db", md["check"])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no EventCheckCompleted on the node's registry")
	}
}
