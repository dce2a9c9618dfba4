package cluster_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
)

// Two nodes join through a route; a server started on b is called from a
// through its name on b. (Nodes of one program call each other directly;
// between OS processes the same code crosses NATS.)
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dirA, _ := os.MkdirTemp("", "orchard-a")
	dirB, _ := os.MkdirTemp("", "orchard-b")
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
	for !slices.Contains(a.Up(), "ex-b") && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond) // an example may poll; tests use otptest.Eventually
	}
	fmt.Println("a sees:", a.Up())

	if _, err := genserver.Start(b.Process(), &echo{node: "ex-b"}, genserver.WithName("echo")); err != nil {
		fmt.Println(err)
		return
	}
	who, err := genserver.Call[string](ctx, a.RemoteName("ex-b", "echo"), "whoami")
	fmt.Println("echo@ex-b runs on", who, err)
	// Output:
	// a sees: [ex-a ex-b]
	// echo@ex-b runs on ex-b <nil>
}
