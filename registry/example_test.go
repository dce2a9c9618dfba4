package registry_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// idle spawns a process that runs until it is killed.
func idle(node *process.Node) process.PID {
	pid, _ := node.Spawn(func(p *process.Proc) error {
		<-p.Done()
		return nil
	})
	return pid
}

// stop kills pid and waits until it is dead: its registrations are gone
// by then.
func stop(node *process.Node, pid process.PID) {
	_ = node.Exit(pid, process.Kill)
	waitDead(node, pid)
}

// waitDead returns when pid is dead: a process monitors it and returns on
// the Down (at once, with NoProc, if pid is dead already).
func waitDead(node *process.Node, pid process.PID) {
	done := make(chan struct{})
	_, err := node.Spawn(func(p *process.Proc) error {
		defer close(done)
		if _, err := p.Monitor(pid); err != nil {
			return err
		}
		_, err := p.ReceiveMatch(p.Context(), func(m process.Msg) bool {
			_, ok := m.(process.Down)
			return ok
		})
		return err
	})
	if err == nil {
		<-done
	}
}

// A unique registry: one process per key, removed when the process dies.
func ExampleRegistry_Register() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	reg, _ := registry.New(node)
	defer reg.Close()

	a, b := idle(node), idle(node)
	fmt.Println(reg.Register(a, "db", "primary"))
	err := reg.Register(b, "db", "replica")
	var taken *registry.AlreadyRegisteredError
	fmt.Println(errors.As(err, &taken), taken.PID == a)
	fmt.Println(reg.Lookup("db")[0].Value)

	stop(node, a)
	fmt.Println(reg.Lookup("db"), reg.Count())
	// Output:
	// <nil>
	// true true
	// primary
	// [] 0
}

// A duplicate registry used for local pub/sub: Dispatch hands every
// subscriber of a topic to one function.
func ExampleRegistry_Dispatch() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	reg, _ := registry.New(node, registry.WithKeys(registry.Duplicate))
	defer reg.Close()

	for _, lang := range []string{"en", "fr", "de"} {
		_ = reg.Register(idle(node), "greetings", lang)
	}
	reg.Dispatch("greetings", func(subs []registry.Entry) {
		fmt.Println(len(subs), "subscribers")
	})
	fr := reg.Match("greetings", func(v any) bool { return v == "fr" })
	fmt.Println(len(fr), fr[0].Value)
	// Output:
	// 3 subscribers
	// 1 fr
}

// Values are metadata kept with each registration and updated in place.
func ExampleRegistry_UpdateValue() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	reg, _ := registry.New(node)
	defer reg.Close()

	pid := idle(node)
	_ = reg.Register(pid, "jobs", 1)
	_ = reg.UpdateValue(pid, "jobs", func(old any) any { return old.(int) + 1 })
	fmt.Println(reg.Values("jobs", pid), reg.Keys(pid))
	fmt.Println(reg.UpdateValue(idle(node), "jobs", func(any) any { return 0 }))
	// Output:
	// [2] [jobs]
	// registry: key not registered by this process
}

// Listeners hear of every registration and removal, including removals
// caused by a death.
func ExampleWithListener() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	reg, _ := registry.New(node, registry.WithListener(func(e registry.Event) {
		fmt.Println(e.Op, e.Key, e.Reason)
	}))
	defer reg.Close()

	pid := idle(node)
	_ = reg.Register(pid, "worker", nil)
	stop(node, pid)
	// Output:
	// registered worker <nil>
	// unregistered worker killed
}

type hello struct{}

func (hello) Init(*genserver.Self) error { return nil }
func (hello) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	return fmt.Sprint("hello, ", req), nil
}

// A via-name names a genserver at start and addresses its calls.
func ExampleVia() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	reg, _ := registry.New(node)
	defer reg.Close()

	name := registry.Via(reg, "greeter")
	pid, _ := genserver.Start(node, hello{}, genserver.WithVia(name))
	reply, _ := genserver.Call[string](context.Background(), name, "world")
	fmt.Println(reply)

	_, err := genserver.Start(node, hello{}, genserver.WithVia(name))
	var already *genserver.AlreadyStartedError
	fmt.Println(errors.As(err, &already) && already.PID == pid)

	stop(node, pid)
	_, err = name.Resolve()
	fmt.Println(errors.Is(err, process.NoProc))
	// Output:
	// hello, world
	// true
	// true
}
