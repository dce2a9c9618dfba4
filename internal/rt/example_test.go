package rt_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// A Target lets code outside a process send to it and wait for its death
// without a monitor message: here a plain goroutine waits for the exit.
func ExampleLookup() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	pid, _ := node.Spawn(func(p *process.Proc) error {
		_, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		return process.ShutdownWith("done")
	})
	t, err := rt.Lookup(pid)
	if err != nil {
		panic(err)
	}
	_ = t.Send("stop")
	<-t.Done()
	fmt.Println("exited:", process.FormatReason(t.Reason()), "alive:", t.Alive())
	// Output: exited: {shutdown,done} alive: false
}

// starter reports that its HandleStart ran.
type starter struct{ started *bool }

func (s starter) HandleStart(*process.Proc) error              { *s.started = true; return nil }
func (starter) HandleMessage(*process.Proc, process.Msg) error { return nil }

// StartInline runs a new handler's HandleStart on the spawning goroutine,
// so the start is done when SpawnHandler returns.
func ExampleStartInline() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	started := false
	_, err := node.SpawnHandler(starter{started: &started}, rt.StartInline())
	fmt.Println("started before return:", started, err)
	// Output: started before return: true <nil>
}

// expiry is an Expirer that reports on a channel.
type expiry chan string

func (e expiry) Expire() { e <- "expired" }

// A Deadline is a timeout without a runtime timer of its own: the node's
// sweeper calls Expire once it has passed, unless it is stopped first.
func ExampleStartDeadline() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	var kept, lapsed rt.Deadline
	fired := make(expiry, 1)
	rt.StartDeadline(node, &kept, time.Hour, fired)
	rt.StartDeadline(node, &lapsed, time.Millisecond, fired)
	fmt.Println(<-fired)
	fmt.Println("stopped in time:", rt.StopDeadline(node, &kept))
	// Output:
	// expired
	// stopped in time: true
}

// ExampleWithEventHook traces the spawns and exits of a node's processes.
// The hook runs synchronously where the event happens; telemetry/bridge's
// NodeEvents is built on it.
func ExampleWithEventHook() {
	var mu sync.Mutex
	var trace []string
	node, _ := process.NewNode(rt.WithEventHook(func(e rt.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e := e.(type) {
		case rt.Spawned:
			trace = append(trace, "spawned "+e.Behaviour)
		case rt.Exited:
			trace = append(trace, "exited "+process.FormatReason(e.Reason))
		}
	}))
	defer node.Stop(context.Background())

	pid, _ := node.Spawn(func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err != nil { // wait to be watched
			return err
		}
		child, _, _ := p.SpawnMonitor(func(*process.Proc) error { return process.Shutdown },
			rt.Behaviour("worker"))
		for {
			msg, err := p.Receive(p.Context())
			if err != nil {
				return err
			}
			if d, ok := msg.(process.Down); ok && d.PID == child {
				return nil
			}
		}
	}, rt.Behaviour("parent"))
	parent, _ := rt.Lookup(pid)
	_ = parent.Send("go")
	<-parent.Done() // closed after the Exited hooks returned
	mu.Lock()
	defer mu.Unlock()
	fmt.Println(trace)
	// Output: [spawned parent spawned worker exited shutdown exited normal]
}
