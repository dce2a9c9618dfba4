package metricmap_test

import (
	"context"
	"fmt"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// An exporter given no registry but a node listens on the node's.
func ExampleConfig_Telemetry() {
	tel := telemetry.New()
	node, err := process.NewNode(process.Config{Telemetry: tel})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop(context.Background())
	c, err := metricmap.Configure("myexport: New", "myexport", func() []metricmap.Metric { return nil },
		[]metricmap.Option{metricmap.WithNode(node)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Telemetry(nil) == tel)
	fmt.Println(c.Telemetry(telemetry.Default()) == telemetry.Default())
	// Output:
	// true
	// true
}
