package kvstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/process"
)

// Agents whose snapshots live in the node's JetStream engine: a stopped
// agent started again finds its state.
func ExampleOpenNodeStore() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dir, _ := os.MkdirTemp("", "agents")
	defer os.RemoveAll(dir)
	node, _ := process.NewNode(process.Config{Logger: slog.New(slog.DiscardHandler)})
	defer node.Stop(ctx)
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		fmt.Println(err)
		return
	}
	st, err := kvstore.OpenNodeStore(ctx, node, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	sys, _ := agent.Start(node, agent.WithStore(st))
	defer sys.Stop(ctx)
	k, _ := counterKind()
	_, _ = sys.Spawn(ctx, agent.Config{ID: "c", Kind: k})
	n, _ := agent.Run[int](ctx, sys, "c", "add", map[string]int{"by": 2})
	_ = sys.StopAgent(ctx, "c")
	_, _ = sys.StartAgent(ctx, "c")
	m, _ := agent.Run[int](ctx, sys, "c", "add", map[string]int{"by": 3})
	fmt.Println(n, m)
	// Output: 2 5
}
