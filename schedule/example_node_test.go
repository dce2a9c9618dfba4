package schedule_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

// Durable schedules in the node's engine: configured once, started by
// the store; a scheduler started again on the same directory finds them.
func ExampleOpenNodeStore() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "orchard-schedule-example")
	defer os.RemoveAll(dir)
	codec := schedule.NewCodec()
	_ = schedule.Register[string](codec, "text")
	run := func(add bool) {
		node, _ := process.NewNode()
		defer node.Stop(ctx) // stops the engine after the scheduler
		_ = engine.Configure(node, engine.Config{Dir: dir})
		store, err := schedule.OpenNodeStore(ctx, node, "")
		if err != nil {
			fmt.Println(err)
			return
		}
		s, _ := schedule.Start(node, schedule.WithStore(store), schedule.WithCodec(codec))
		defer s.Stop(ctx)
		if add {
			_, err = s.Every(ctx, time.Hour, node.Name("reports"), "hourly", schedule.Durable(), schedule.WithID("hourly"))
			fmt.Println(err)
			return
		}
		infos, _ := s.List(ctx)
		for _, in := range infos {
			fmt.Println(in.ID, in.Kind, in.Spec)
		}
	}
	run(true)
	run(false)
	// Output:
	// <nil>
	// hourly every 1h0m0s
}
