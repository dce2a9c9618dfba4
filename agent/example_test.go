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
	list := sys.Agents(0)
	fmt.Println(st.Status, len(list), list[0].ID, !sys.PID().IsZero())
	// Output:
	// 2 42
	// true add {"type":"object","properties":{"by":{"type":"integer"}},"required":["by"],"additionalProperties":false}
	// running 1 c1 true
}

// Signals routed by type pattern wake a hibernated agent; its state comes
// back from the store.
func ExampleSystem_Publish() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	type order struct {
		Item string `json:"item"`
	}
	k, _ := agent.NewKind(agent.Spec[[]string]{
		Name: "orders",
		Actions: []agent.Action[[]string]{
			agent.NewAction("book", "books an order", func(_ context.Context, items *[]string, o order) ([]string, []agent.Directive, error) {
				*items = append(*items, o.Item)
				return *items, nil, nil
			}),
		},
		Routes: []agent.Route{{Pattern: "order.*", Action: "book"}},
	})
	sys, _ := agent.Start(node, agent.WithStore(agent.NewMemoryStore()))
	defer sys.Stop(ctx)
	_, _ = sys.Spawn(ctx, agent.Config{ID: "clerk", Kind: k})

	sig, _ := agent.NewSignal("shop", "order.created", order{Item: "pear"})
	n, _ := sys.Publish(ctx, sig)
	_ = sys.Hibernate(ctx, "clerk")
	st, _ := sys.Status("clerk")
	fmt.Println(n, st.Status)

	sig, _ = agent.NewSignal("shop", "order.paid", order{Item: "plum"})
	_, _ = sys.Publish(ctx, sig) // buffered, and wakes the agent
	items, _ := agent.Run[[]string](ctx, sys, "clerk", "book", order{Item: "fig"})
	fmt.Println(items)
	// Output:
	// 1 hibernated
	// [pear plum fig]
}

// A balancer spreads runs over the agents of a capability.
func ExampleBalancer() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	k, _ := agent.NewKind(agent.Spec[int]{Name: "worker", Actions: []agent.Action[int]{
		agent.NewAction("work", "counts jobs", func(_ context.Context, n *int, _ struct{}) (int, []agent.Directive, error) {
			*n++
			return *n, nil, nil
		}),
	}})
	sys, _ := agent.Start(node)
	defer sys.Stop(ctx)
	for _, id := range []string{"w1", "w2"} {
		_, _ = sys.Spawn(ctx, agent.Config{ID: id, Kind: k, Capabilities: []string{"resize"}})
	}
	b, _ := sys.Balancer("resize", agent.BalancerOptions{Strategy: agent.RoundRobin})
	for range 3 {
		n, id, _ := agent.Dispatch[int](ctx, b, "", "work", struct{}{})
		fmt.Println(id, n)
	}
	// Output:
	// w1 1
	// w2 1
	// w1 2
}

// A timer sensor publishes a numbered signal at each firing of a
// schedule of the system's scheduler; bad input is refused before
// anything starts.
func ExampleSystem_StartTimerSensor() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	got := make(chan int, 16)
	k, _ := agent.NewKind(agent.Spec[int]{
		Name: "clock",
		Actions: []agent.Action[int]{
			agent.NewAction("tick", "records a tick", func(_ context.Context, last *int, n int) (int, []agent.Directive, error) {
				*last = n
				select {
				case got <- n:
				default:
				}
				return n, nil, nil
			}),
		},
		Routes: []agent.Route{{Pattern: "clock.*", Action: "tick"}},
	})
	sys, _ := agent.Start(node)
	defer sys.Stop(ctx)
	_, _ = sys.Spawn(ctx, agent.Config{ID: "watch", Kind: k})

	_, err := sys.StartTimerSensor(ctx, "clock", "clock.tick", 0)
	fmt.Println(err)
	if _, err := sys.StartTimerSensor(ctx, "clock", "clock.tick", 10*time.Millisecond); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(<-got, <-got)
	// Output:
	// agent: StartTimerSensor: invalid argument interval: must be positive, got 0s
	// 1 2
}
