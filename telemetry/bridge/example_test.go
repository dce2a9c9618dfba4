package bridge_test

import (
	"context"
	"fmt"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

// ExampleNodeEvents publishes a node's process lifecycle events on a
// telemetry registry.
func ExampleNodeEvents() {
	tel := telemetry.New()
	exited := make(chan telemetry.Metadata, 1)
	_ = tel.Attach("exits", []string{process.EventExited}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		exited <- md
	})
	node, _ := process.NewNode(bridge.NodeEvents(tel))
	defer node.Stop(context.Background())

	pid, _ := node.Spawn(func(*process.Proc) error { return nil })
	md := <-exited
	fmt.Println(md["pid"] == pid, md["normal"])
	// Output: true true
}
