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

// A child whose start keeps failing is restarted at once the first time,
// then after 10 ms, then 20 ms, ...: with a Backoff the supervisor does
// not spin on a fault that takes a while to clear.
func ExampleBackoff() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	faults := 0 // how many of the next starts fail
	start := func(p *process.Proc) (process.PID, error) {
		if faults > 0 { // start functions run in the supervisor: no race
			faults--
			return process.PID{}, errors.New("database unreachable")
		}
		return genserver.StartLink(p, &greeter{name: "db"})
	}
	hook, restarted := restarts()
	sup, err := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.Flags{MaxRestarts: 10, Period: time.Minute},
		Children: []supervisor.ChildSpec{{ID: "db", Start: start,
			Backoff: &supervisor.Backoff{Initial: 10 * time.Millisecond, Max: time.Second}}},
	}, hook, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	kids, _ := supervisor.WhichChildren(context.Background(), sup)
	began := time.Now()
	faults = 2 // read by the supervisor after the crash below
	_ = genserver.Cast(kids[0].PID, errors.New("crash"))
	fmt.Println("restarted:", <-restarted, "after at least 30ms:", time.Since(began) >= 30*time.Millisecond)
	// Output:
	// db started
	// db started
	// restarted: db after at least 30ms: true
}
