package process_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

// ExampleConfig_telemetry gives a node its own telemetry registry: the
// events of the services on the node (here a supervisor's, through the
// bridge given no registry) are published on it, not on
// telemetry.Default(). A negative count in a Config is bad input.
func ExampleConfig_telemetry() {
	reg := telemetry.New()
	_ = reg.Attach("starts", []string{supervisor.EventChildStarted}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		fmt.Println("started on the node's registry:", md["id"])
	})
	node, err := process.NewNode(process.Config{Telemetry: reg})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop(context.Background())
	worker := func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, &silent{}) }
	_, err = supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{ID: "worker", Start: worker}},
	}, bridge.SupervisorEvents(nil))
	fmt.Println(err)
	_, err = process.NewNode(process.Config{MaxIdleWorkers: -1})
	fmt.Println(errors.Is(err, process.ErrInvalidArgument))
	// Output:
	// started on the node's registry: worker
	// <nil>
	// true
}
