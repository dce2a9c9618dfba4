package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// exampleNodes starts two nodes joined through a route and returns them
// once a sees b up, with a function that stops both.
func exampleNodes(ctx context.Context, nameA, nameB string) (a, b *cluster.Node, stop func(), err error) {
	dirA, _ := os.MkdirTemp("", "orchard-a")
	dirB, _ := os.MkdirTemp("", "orchard-b")
	stop = func() { _ = os.RemoveAll(dirA); _ = os.RemoveAll(dirB) }
	if a, err = cluster.Start(ctx, cluster.Config{Name: nameA, Dir: dirA}); err != nil {
		return nil, nil, stop, err
	}
	if b, err = cluster.Start(ctx, cluster.Config{Name: nameB, Dir: dirB, Routes: []string{a.RouteURL()}}); err != nil {
		_ = a.Stop(context.Background())
		return nil, nil, stop, err
	}
	rm := stop
	stop = func() { _ = b.Stop(context.Background()); _ = a.Stop(context.Background()); rm() }
	for !slices.Contains(a.Up(), nameB) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond) // an example may poll; tests use otptest.Eventually
	}
	return a, b, stop, ctx.Err()
}

// Node b offers the spawnable "greeter"; node a starts it on b with a
// string argument. (Nodes of one program, as here, reach each other's
// processes only through calls, so this greeter reports on a channel;
// between OS processes it would send its answer back, and SpawnLink and
// SpawnMonitor give OTP's spawn_link and spawn_monitor.)
func ExampleNode_Spawn() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b, stop, err := exampleNodes(ctx, "exs-a", "exs-b")
	defer stop()
	if err != nil {
		fmt.Println(err)
		return
	}
	greeted := make(chan string, 1)
	err = cluster.RegisterSpawnable(b, "greeter", func(p *process.Proc, who string) error {
		greeted <- "hello " + who + ", from " + b.Name()
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	pid, err := a.Spawn(ctx, "exs-b", "greeter", "a")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("spawned on exs-b:", pid.Node() == cluster.NodeNumber("exs-b"))
	fmt.Println(<-greeted)
	_, err = a.Spawn(ctx, "exs-b", "nope", nil)
	fmt.Println(err)
	_, err = a.Spawn(ctx, "exs-b", "greeter", 42)
	fmt.Println(errors.Is(err, cluster.ErrInvalidArgument), err)
	// Output:
	// spawned on exs-b: true
	// hello a, from exs-b
	// cluster: no spawnable "nope" on node exs-b (cluster.RegisterSpawnable)
	// true cluster: argument of "greeter" on node exs-b: takes string, not int
}

// Node b runs a supervisor named "sup" and offers the child factory
// "echo"; node a adds a child to it, calls the child, and lists the
// supervisor's children, all across nodes.
func ExampleNode_StartChild() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b, stop, err := exampleNodes(ctx, "exc-a", "exc-b")
	defer stop()
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := supervisor.Start(b.Process(), supervisor.Spec{}, supervisor.WithName("sup")); err != nil {
		fmt.Println(err)
		return
	}
	err = cluster.RegisterChild(b, "echo", func(id string) (supervisor.ChildSpec, error) {
		return supervisor.GenServer(id, echo{node: "exc-b"}), nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	sup := a.RemoteName("exc-b", "sup")
	pid, err := a.StartChild(ctx, sup, "echo", "e1")
	if err != nil {
		fmt.Println(err)
		return
	}
	who, err := genserver.Call[string](ctx, pid, "whoami")
	fmt.Println("e1 runs on", who, err)
	children, err := a.WhichChildren(ctx, sup)
	fmt.Println(len(children), children[0].ID, children[0].PID == pid, err)
	_, err = a.StartChild(ctx, sup, "nope", nil)
	fmt.Println(err)
	// Output:
	// e1 runs on exc-b <nil>
	// 1 e1 true <nil>
	// cluster: no child factory "nope" on node exc-b (cluster.RegisterChild)
}
