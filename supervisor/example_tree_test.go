package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
)

// counter is the genserver of the tree examples: its state starts from
// the value given to supervisor.GenServer, and "incr" adds one.
type counter struct {
	name string
	n    int
}

func (c *counter) Init(*genserver.Self) error {
	fmt.Println(c.name, "starts at", c.n)
	return nil
}

func (c *counter) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	if req == "incr" {
		c.n++
		return c.n, nil
	}
	return nil, fmt.Errorf("unknown request %v", req)
}

func (c *counter) HandleCast(_ *genserver.Self, msg any) error {
	if err, ok := msg.(error); ok {
		return err // a crash
	}
	return nil
}

var discardLogs = supervisor.WithLogger(slog.New(slog.DiscardHandler))

// The zero Flags are OTP's defaults: one_for_one, at most 1 restart in
// 5 s. MaxRestarts: NoRestarts is OTP's intensity 0: the first crash makes
// the supervisor give up.
func ExampleFlags() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()
	children := []supervisor.ChildSpec{supervisor.GenServer("w", counter{name: "w"})}

	hook, restarted := restarts()
	sup, _ := supervisor.Start(node, supervisor.Spec{Children: children}, hook, discardLogs)
	kids, _ := supervisor.WhichChildren(ctx, sup)
	_ = genserver.Cast(kids[0].PID, errors.New("crash"))
	fmt.Println("zero Flags restarted", <-restarted)

	strict, _ := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.Flags{MaxRestarts: supervisor.NoRestarts},
		Children: children,
	}, discardLogs)
	gaveUp := watch(node, strict)
	kids, _ = supervisor.WhichChildren(ctx, strict)
	_ = genserver.Cast(kids[0].PID, errors.New("crash"))
	fmt.Println("NoRestarts gave up:", <-gaveUp)
	// Output:
	// w starts at 0
	// w starts at 0
	// zero Flags restarted w
	// w starts at 0
	// NoRestarts gave up: shutdown
}

// GenServer declares a genserver child without a closure: each start,
// restarts included, runs a fresh copy of the state given.
func ExampleGenServer() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	hook, restarted := restarts()
	_, _ = supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{
		supervisor.GenServer("hits", counter{name: "hits", n: 10}, genserver.WithName("hits")),
	}}, hook, discardLogs)
	hits := node.Name("hits")
	n, _ := genserver.Call[int](ctx, hits, "incr")
	fmt.Println("hits:", n)

	_ = genserver.Cast(hits, errors.New("crash"))
	<-restarted // the new server begins from 10 again
	n, _ = genserver.Call[int](ctx, hits, "incr")
	fmt.Println("hits:", n)
	// Output:
	// hits starts at 10
	// hits: 11
	// hits starts at 10
	// hits: 11
}

// Subtree and DynamicSubtree declare nested supervisors; a named dynamic
// supervisor takes children at run time, declared the same way.
func ExampleSubtree() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	sup, _ := supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{
		supervisor.Subtree("workers", supervisor.Spec{
			Flags: supervisor.Flags{Strategy: supervisor.OneForAll},
			Children: []supervisor.ChildSpec{
				supervisor.GenServer("a", counter{name: "a"}),
				supervisor.GenServer("b", counter{name: "b"}),
			},
		}),
		supervisor.DynamicSubtree("sessions", supervisor.DynamicSpec{MaxChildren: 10}, supervisor.WithName("sessions")),
	}}, discardLogs)
	_, err := supervisor.StartDynamicChild(ctx, node.Name("sessions"),
		supervisor.GenServer("s", counter{name: "session"}).WithRestart(supervisor.Temporary))
	fmt.Println(err)
	kids, _ := supervisor.WhichChildren(ctx, sup)
	for _, k := range kids {
		fmt.Println(k.ID, k.Type, k.Status)
	}
	// Output:
	// a starts at 0
	// b starts at 0
	// session starts at 0
	// <nil>
	// sessions supervisor pid
	// workers supervisor pid
}

// WithRestart and WithShutdown adjust a spec made by a helper, as
// Elixir's Supervisor.child_spec/2 overrides do.
func ExampleChildSpec_WithRestart() {
	spec := supervisor.GenServer("job", counter{}).
		WithRestart(supervisor.Transient).
		WithShutdown(supervisor.BrutalKill)
	fmt.Println(spec.ID, spec.Restart, spec.Shutdown, spec.Type)
	// Output:
	// job transient brutal_kill worker
}

// A whole tree declared as data, as Elixir's children = [...]: workers,
// a nested supervisor, a dynamic supervisor and a task supervisor. A
// registry is not a process (see package registry), so it is made first
// and named in the data: the cache registers under it when it starts.
func Example_treeAsData() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()
	reg, _ := registry.New(node)
	defer reg.Close()

	children := []supervisor.ChildSpec{
		supervisor.GenServer("cache", counter{name: "cache"}, genserver.WithVia(registry.Via(reg, "cache"))),
		supervisor.Subtree("workers", supervisor.Spec{
			Flags: supervisor.Flags{Strategy: supervisor.RestForOne, MaxRestarts: 3},
			Children: []supervisor.ChildSpec{
				supervisor.GenServer("reader", counter{name: "reader"}),
				supervisor.GenServer("writer", counter{name: "writer"}),
			},
		}),
		supervisor.DynamicSubtree("sessions", supervisor.DynamicSpec{}, supervisor.WithName("sessions")),
		task.ChildSpec("tasks", task.WithName("tasks")),
	}
	sup, err := supervisor.Start(node, supervisor.Spec{Children: children}, discardLogs)
	if err != nil {
		fmt.Println(err)
		return
	}

	n, _ := genserver.Call[int](ctx, registry.Via(reg, "cache"), "incr")
	fmt.Println("cache:", n)
	_, _ = supervisor.StartDynamicChild(ctx, node.Name("sessions"),
		supervisor.GenServer("s1", counter{name: "s1"}).WithRestart(supervisor.Temporary))
	tasks, _ := task.Lookup(node.Name("tasks"))
	t, _ := task.Async(ctx, tasks, func(context.Context) (string, error) { return "done", nil })
	v, _ := t.Await(time.Second)
	fmt.Println("task:", v)

	kids, _ := supervisor.WhichChildren(ctx, sup)
	for _, k := range kids {
		fmt.Println(k.ID, k.Type)
	}
	// Output:
	// cache starts at 0
	// reader starts at 0
	// writer starts at 0
	// cache: 1
	// s1 starts at 0
	// task: done
	// tasks supervisor
	// sessions supervisor
	// workers supervisor
	// cache worker
}
