package agent_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/process"
)

// A signal routed to one agent: the other agent with the same route
// does not get it.
func ExampleSystem_PublishTo() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	k, _ := agent.NewKind(agent.Spec[int]{Name: "tally", Actions: []agent.Action[int]{
		agent.NewAction("count", "counts a signal", func(_ context.Context, n *int, _ struct{}) (int, []agent.Directive, error) {
			*n++
			return *n, nil, nil
		}),
		agent.NewAction("get", "returns the count", func(_ context.Context, n *int, _ struct{}) (int, []agent.Directive, error) {
			return *n, nil, nil
		}),
	}, Routes: []agent.Route{{Pattern: "order.*", Action: "count"}}})
	sys, _ := agent.Start(node)
	defer sys.Stop(ctx)
	_, _ = sys.Spawn(ctx, agent.Config{ID: "t1", Kind: k})
	_, _ = sys.Spawn(ctx, agent.Config{ID: "t2", Kind: k})
	sig, _ := agent.NewSignal("shop", "order.created", struct{}{})
	n, err := sys.PublishTo(ctx, "t1", sig)
	c1, _ := agent.Run[int](ctx, sys, "t1", "get", struct{}{})
	c2, _ := agent.Run[int](ctx, sys, "t2", "get", struct{}{})
	fmt.Println(n, err, c1, c2, agent.KindRoutes(k))
	// Output: 1 <nil> 1 0 [{order.* count}]
}
