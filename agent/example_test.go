package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/process"
)

// An agent with one typed action, run with a Go value and with JSON.
func Example() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	type addIn struct {
		By int `json:"by"`
	}
	k, err := agent.NewKind(agent.Spec[int]{Name: "counter", Actions: []agent.Action[int]{
		agent.NewAction("add", "adds to the counter", func(_ context.Context, n *int, in addIn) (int, []agent.Directive, error) {
			*n += in.By
			return *n, nil, nil
		}),
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	sys, _ := agent.Start(node)
	defer sys.Stop(ctx)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "c1", Kind: k, Capabilities: []string{"count"}}); err != nil {
		fmt.Println(err)
		return
	}
	n, _ := agent.Run[int](ctx, sys, "c1", "add", addIn{By: 2})
	out, _ := sys.RunJSON(ctx, "c1", "add", json.RawMessage(`{"by":40}`))
	_, err = sys.RunJSON(ctx, "c1", "add", json.RawMessage(`{"by":"x"}`))
	acts, _ := sys.Actions("c1")
	st, _ := sys.Status("c1")
	fmt.Println(n, string(out))
	fmt.Println(err != nil, acts[0].Name, string(acts[0].InputSchema))
	fmt.Println(st.Status)
	// Output:
	// 2 42
	// true add {"type":"object","properties":{"by":{"type":"integer"}},"required":["by"],"additionalProperties":false}
	// running
}
