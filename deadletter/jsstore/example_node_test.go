package jsstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// An application keeps its dead letters in the node's engine: configured
// once, started by the store, stopped by the application's Stop after
// the queue's retrier.
func ExampleOpenNodeStore() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "orchard-deadletter-example")
	defer os.RemoveAll(dir)
	node, _ := process.NewNode()
	defer node.Stop(ctx)
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		fmt.Println(err)
		return
	}
	var q *deadletter.Queue
	a, err := app.New(node, app.Spec{Name: "shop", Parts: []app.Part{{
		Name: "deadletters",
		Start: func(node *process.Node) (process.PID, error) {
			store, err := jsstore.OpenNodeStore(ctx, node, "")
			if err != nil {
				return process.PID{}, err
			}
			q = exampleQueue(node, store, deadletter.WithAutoRetry(time.Hour, 3))
			return q.StartRetrier()
		},
	}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := a.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	e, err := q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: OrderPlaced{ID: 7, Item: "pear"}, Reason: errors.New("noproc")})
	fmt.Println(e.Dest.Name, err)
	fmt.Println(a.Stop(ctx))
	// Output:
	// billing <nil>
	// <nil>
}
