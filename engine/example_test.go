package engine_test

import (
	"context"
	"fmt"
	"os"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

// ExampleConfigure gives a node a data directory; the dead-letter queue
// and the durable schedules then share the node's one embedded engine,
// which the first of them starts. Without an application, the node's Stop
// stops it, after the node's processes.
func ExampleConfigure() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "orchard-engine-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	node, err := process.NewNode()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		fmt.Println(err)
		return
	}
	letters, err := jsstore.OpenNodeStore(ctx, node, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := schedule.OpenNodeStore(ctx, node, ""); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(letters.Put(ctx, deadletter.Entry{ID: "e1"}))
	fmt.Println(node.Stop(ctx)) // stops the engine too
	_, err = schedule.OpenNodeStore(ctx, node, "")
	fmt.Println(err != nil)
	// Output:
	// <nil>
	// <nil>
	// true
}
