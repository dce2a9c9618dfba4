package bridge_test

import (
	"context"
	"fmt"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

// ExampleNodeEvents publishes a node's process lifecycle events on a
// telemetry registry.
func ExampleNodeEvents() {
	tel := telemetry.New()
	exited := make(chan telemetry.Metadata, 1)
	_ = tel.Attach("exits", []string{bridge.EventProcessExited}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		exited <- md
	})
	node, _ := process.NewNode(bridge.NodeEvents(tel))
	defer node.Stop(context.Background())

	pid, _ := node.Spawn(func(*process.Proc) error { return nil })
	md := <-exited
	fmt.Println(md["pid"] == pid, md["normal"])
	// Output: true true
}

// ExampleSupervisorEvents publishes a supervisor's child starts.
func ExampleSupervisorEvents() {
	tel := telemetry.New()
	var started []any
	_ = tel.Attach("starts", []string{supervisor.EventChildStarted}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		started = append(started, md["id"], md["restart"])
	})
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	worker := func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, idle{}) }
	_, err := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{ID: "worker", Start: worker}},
	}, bridge.SupervisorEvents(tel))
	fmt.Println(err, started) // Start returns after the children started
	// Output: <nil> [worker false]
}

type idle struct{}

func (idle) Init(*genserver.Self) error { return nil }
