package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// greeter is the worker of the examples: a genserver that prints when it
// starts and exits with any error cast to it.
type greeter struct{ name string }

func (g *greeter) Init(*genserver.Self) error {
	fmt.Println(g.name, "started")
	return nil
}

func (g *greeter) HandleCast(_ *genserver.Self, msg any) error {
	if err, ok := msg.(error); ok {
		return err // exit with err: a crash
	}
	return nil
}

func startGreeter(name string) supervisor.StartFunc {
	return func(p *process.Proc) (process.PID, error) {
		return genserver.StartLink(p, &greeter{name: name})
	}
}

// restarts returns an event hook that sends the id of every restarted
// child to the returned channel.
func restarts() (supervisor.Option, <-chan string) {
	ch := make(chan string, 16)
	return supervisor.WithEventHook(func(e supervisor.Event) {
		if s, ok := e.(supervisor.ChildStarted); ok && s.Restart {
			ch <- s.ID
		}
	}), ch
}

// A one_for_one tree: when a child crashes, only that child is restarted.
func ExampleStart() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	hook, restarted := restarts()
	sup, err := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.DefaultFlags(), // one_for_one, at most 1 restart in 5 s
		Children: []supervisor.ChildSpec{
			{ID: "db", Start: startGreeter("db")},
			{ID: "web", Start: startGreeter("web")},
		},
	}, hook, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	kids, _ := supervisor.WhichChildren(context.Background(), sup) // [web db]
	_ = genserver.Cast(kids[1].PID, errors.New("disk on fire"))
	fmt.Println("restarted:", <-restarted)
	// Output:
	// db started
	// web started
	// db started
	// restarted: db
}

func ExampleStartChild() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	sup, _ := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags()})
	spec := supervisor.ChildSpec{ID: "cache", Start: startGreeter("cache")}
	pid, err := supervisor.StartChild(ctx, sup, spec)
	fmt.Println(err, node.IsAlive(pid))

	_, err = supervisor.StartChild(ctx, sup, spec)
	var already *supervisor.AlreadyStartedError
	fmt.Println(errors.As(err, &already), already.PID == pid)
	// Output:
	// cache started
	// <nil> true
	// true true
}

func ExampleWhichChildren() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	sup, _ := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{
			{ID: "a", Start: startGreeter("a")},
			{ID: "b", Start: startGreeter("b"), Restart: supervisor.Transient},
		},
	})
	_ = supervisor.TerminateChild(ctx, sup, "a")
	kids, _ := supervisor.WhichChildren(ctx, sup) // most recently started first
	for _, c := range kids {
		fmt.Println(c.ID, c.Status, c.Type)
	}
	n, _ := supervisor.CountChildren(ctx, sup)
	fmt.Printf("%+v\n", n)
	// Output:
	// a started
	// b started
	// b pid worker
	// a undefined worker
	// {Specs:2 Active:1 Supervisors:0 Workers:2}
}

func ExampleTerminateChild() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	sup, _ := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{ID: "worker", Start: startGreeter("worker")}},
	})
	fmt.Println(supervisor.TerminateChild(ctx, sup, "worker")) // the spec is kept
	_, err := supervisor.RestartChild(ctx, sup, "worker")
	fmt.Println(err)
	_, err = supervisor.RestartChild(ctx, sup, "worker")
	fmt.Println(err)
	// Output:
	// worker started
	// <nil>
	// worker started
	// <nil>
	// supervisor: child is running
}

// A dynamic supervisor with per-child specs (Elixir's DynamicSupervisor).
func ExampleStartDynamic() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	sup, _ := supervisor.StartDynamic(node, supervisor.DynamicSpec{
		Flags:       supervisor.DefaultFlags(),
		MaxChildren: 2,
	})
	for _, name := range []string{"conn1", "conn2", "conn3"} {
		spec := supervisor.ChildSpec{ID: name, Start: startGreeter(name), Restart: supervisor.Temporary}
		if _, err := supervisor.StartDynamicChild(ctx, sup, spec); err != nil {
			fmt.Println(name, err)
		}
	}
	n, _ := supervisor.CountChildren(ctx, sup)
	fmt.Println("active:", n.Active)
	// Output:
	// conn1 started
	// conn2 started
	// conn3 supervisor: max children reached
	// active: 2
}

// A simple_one_for_one supervisor: every child comes from the template,
// with the extra arguments given to StartTemplateChild.
func ExampleStartTemplateChild() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	sup, _ := supervisor.StartDynamic(node, supervisor.DynamicSpec{
		Flags: supervisor.DefaultFlags(),
		Template: &supervisor.Template{
			Restart: supervisor.Transient,
			Start: func(parent *process.Proc, args ...any) (process.PID, error) {
				return genserver.StartLink(parent, &greeter{name: "session " + args[0].(string)})
			},
		},
	})
	alice, _ := supervisor.StartTemplateChild(ctx, sup, "alice")
	_, _ = supervisor.StartTemplateChild(ctx, sup, "bob")
	fmt.Println(supervisor.TerminateChildPID(ctx, sup, alice))
	n, _ := supervisor.CountChildren(ctx, sup)
	fmt.Printf("%+v\n", n)
	// Output:
	// session alice started
	// session bob started
	// <nil>
	// {Specs:1 Active:1 Supervisors:0 Workers:1}
}

// one_for_all: when one child crashes, all are restarted, in start order.
func ExampleSpec_oneForAll() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	hook, restarted := restarts()
	sup, _ := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.Flags{Strategy: supervisor.OneForAll, MaxRestarts: 3, Period: 5 * time.Second},
		Children: []supervisor.ChildSpec{
			{ID: "a", Start: startGreeter("a")},
			{ID: "b", Start: startGreeter("b")},
			{ID: "c", Start: startGreeter("c")},
		},
	}, hook, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	kids, _ := supervisor.WhichChildren(context.Background(), sup) // [c b a]
	_ = genserver.Cast(kids[1].PID, errors.New("b crashed"))
	fmt.Println("restarted:", <-restarted, <-restarted, <-restarted)
	// Output:
	// a started
	// b started
	// c started
	// a started
	// b started
	// c started
	// restarted: a b c
}

func ExampleWithEventHook() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	done := make(chan struct{})
	hook := supervisor.WithEventHook(func(e supervisor.Event) {
		// Runs inside the supervisor process: it must not block.
		switch e := e.(type) {
		case supervisor.ChildStarted:
			fmt.Println("started", e.ID, "restart:", e.Restart)
			if e.Restart {
				close(done)
			}
		case supervisor.ChildRestarting:
			fmt.Println("exited", e.ID, "reason:", process.FormatReason(e.Reason))
		case supervisor.ChildTerminated:
			fmt.Println("terminated", e.ID, "reason:", process.FormatReason(e.Reason))
		}
	})
	sup, _ := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{ID: "w", Start: startGreeter("w")}},
	}, hook, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	kids, _ := supervisor.WhichChildren(context.Background(), sup)
	_ = genserver.Cast(kids[0].PID, errors.New("oops"))
	<-done
	_ = supervisor.Stop(sup, process.Shutdown, 5*time.Second)
	// Output:
	// w started
	// started w restart: false
	// exited w reason: oops
	// w started
	// started w restart: true
	// terminated w reason: shutdown
}

// watch returns a channel that receives pid's exit reason when it dies:
// a process monitors pid (before watch returns) and forwards the Down.
func watch(node *process.Node, pid process.PID) <-chan error {
	reason := make(chan error, 1)
	monitoring := make(chan struct{})
	_, err := node.Spawn(func(p *process.Proc) error {
		_, err := p.Monitor(pid)
		close(monitoring)
		if err != nil {
			return err
		}
		m, err := p.ReceiveMatch(p.Context(), func(m process.Msg) bool {
			_, ok := m.(process.Down)
			return ok
		})
		if err != nil {
			return err
		}
		reason <- m.(process.Down).Reason
		return nil
	})
	if err != nil {
		reason <- err
		return reason
	}
	<-monitoring
	return reason
}
