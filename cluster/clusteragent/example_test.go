package clusteragent_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/cluster/clusteragent"
)

// startAgents starts node's agent system (snapshots in the cluster's KV)
// and its part of the cluster-wide registry, polling until JetStream
// answers (an example may poll; tests use otptest.Eventually).
func startAgents(ctx context.Context, node *cluster.Node) (*agent.System, *clusteragent.System, error) {
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := kvstore.OpenNodeStore(actx, node.Process(), "")
		if err == nil {
			fs := clusteragent.Fenced(st) // a stale copy cannot overwrite a newer snapshot
			sys, _ := agent.Start(node.Process(), agent.WithStore(fs), agent.WithLogger(slog.New(slog.DiscardHandler)))
			var cs *clusteragent.System
			cs, err = clusteragent.Start(actx, node, sys, clusteragent.Config{Kinds: []agent.Kind{counterKind()}, Fenced: fs})
			if err == nil {
				cancel()
				return sys, cs, nil
			}
			_ = sys.Stop(ctx)
		}
		cancel()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// An agent spawned on node a is run from node b; hibernated, it leaves
// a, and the next run from b wakes it on b from its snapshot. Signals
// and dispatches from a reach it on b.
func ExampleRun() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirA, _ := os.MkdirTemp("", "clusteragent-a")
	dirB, _ := os.MkdirTemp("", "clusteragent-b")
	defer os.RemoveAll(dirA)
	defer os.RemoveAll(dirB)
	a, err := cluster.Start(ctx, cluster.Config{Name: "ex-a", Dir: dirA})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Stop(context.Background())
	b, err := cluster.Start(ctx, cluster.Config{Name: "ex-b", Dir: dirB, Routes: []string{a.RouteURL()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Stop(context.Background())
	for !slices.Contains(a.Up(), "ex-b") || !slices.Contains(b.Up(), "ex-a") {
		if ctx.Err() != nil {
			fmt.Println("the nodes did not see each other:", ctx.Err())
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	sysA, onA, err := startAgents(ctx, a)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sysA.Stop(context.Background())
	defer onA.Stop(context.Background())
	sysB, onB, err := startAgents(ctx, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sysB.Stop(context.Background())
	defer onB.Stop(context.Background())

	if _, err := onA.Spawn(ctx, agent.Config{ID: "c1", Kind: counterKind(), Capabilities: []string{"count"}}); err != nil {
		fmt.Println(err)
		return
	}
	n, err := clusteragent.Run[int](ctx, onB, "c1", "add", map[string]int{"by": 2})
	in, _ := onB.Whereis(ctx, "c1")
	fmt.Println(n, err, "on", in.Node)
	_ = onB.Hibernate(ctx, "c1")
	st, _ := onB.Status(ctx, "c1")
	fmt.Println(st.Status)
	n, err = clusteragent.Run[int](ctx, onB, "c1", "add", map[string]int{"by": 3})
	in, _ = onB.Whereis(ctx, "c1")
	fmt.Println(n, err, "on", in.Node)

	// a signal from a to the agent, now on b; then a dispatch by
	// capability from a
	sig, _ := agent.NewSignal("example", "count.up", map[string]int{"by": 10})
	routes, err := onA.Signal(ctx, "c1", sig)
	fmt.Println(routes, err)
	n, id, err := clusteragent.Dispatch[int](ctx, onA, "count", "any key", "add", map[string]int{"by": 0})
	fmt.Println(n, id, err)
	// Output:
	// 2 <nil> on ex-a
	// hibernated
	// 5 <nil> on ex-b
	// 1 <nil>
	// 15 c1 <nil>
}
