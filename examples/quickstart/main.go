// Command quickstart is the program of Orchard's README: a counter
// GenServer under a supervisor, found by its registry name before and
// after a crash.
//
//orchardvet:allow calltimeout the quickstart's calls rely on the node's configured call timeout (package timeouts), the README's point
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Counter is a GenServer whose state is a number.
type Counter struct{ n int }

// Incr adds one and replies with the new count: an int.
type Incr struct{ genserver.Req[int] }

// Crash makes the counter fail.
type Crash struct{}

func (c *Counter) Init(*genserver.Self) error { return nil }

func (c *Counter) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case Incr:
		c.n++
		return r.Reply(c.n)
	case Crash:
		panic("boom") // a crash: the supervisor restarts the counter
	}
	return nil, fmt.Errorf("unknown request %T", req)
}

func main() {
	ctx := context.Background()
	node, err := process.NewNode()
	if err != nil {
		log.Fatal(err)
	}
	defer node.Stop(ctx)
	names, err := registry.New(node)
	if err != nil {
		log.Fatal(err)
	}
	defer names.Close()
	counter := registry.Via(names, "counter")

	restarted := make(chan process.PID, 1)
	_, err = supervisor.Start(node, supervisor.Spec{
		// The zero Flags are OTP's defaults: one_for_one, 1 restart in 5 s.
		Children: []supervisor.ChildSpec{
			supervisor.GenServer("counter", Counter{}, genserver.WithVia(counter)),
		},
	}, supervisor.WithEventHook(func(e supervisor.Event) {
		if s, ok := e.(supervisor.ChildStarted); ok && s.Restart {
			restarted <- s.PID
		}
	}))
	if err != nil {
		log.Fatal(err)
	}

	n, _ := genserver.Ask(ctx, counter, Incr{}) // n is an int: Incr says so
	fmt.Println("count:", n)
	_, err = genserver.Call[any](ctx, counter, Crash{})
	fmt.Println("crash:", err != nil)
	<-restarted
	n, _ = genserver.Ask(ctx, counter, Incr{})
	fmt.Println("count after the restart:", n)
}
