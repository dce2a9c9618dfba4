package coord_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/process"
)

// idle is a process that waits until its node stops.
func idle(p *process.Proc) error {
	<-p.Context().Done()
	return nil
}

// A lock is released when its holder dies, and the next holder's
// larger fencing token lets the resource refuse the late writes of the
// old one.
func ExampleCoordinator_Lock() {
	node, err := process.NewNode()
	if err != nil {
		panic(err)
	}
	defer func() { _ = node.Stop(context.Background()) }()
	c, err := coord.Start(node)
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, _ := node.Spawn(idle)
	b, _ := node.Spawn(idle)

	la, err := c.Lock(ctx, "report", coord.WithHolder(a))
	if err != nil {
		panic(err)
	}
	fmt.Println("a holds the lock with token", la.Token)
	_, err = c.TryLock(ctx, "report", coord.WithHolder(b))
	fmt.Println("b cannot take it:", errors.Is(err, coord.ErrHeld))

	_ = node.Exit(a, process.Kill) // a dies holding the lock
	lb, err := c.Lock(ctx, "report", coord.WithHolder(b))
	if err != nil {
		panic(err)
	}
	fmt.Println("b holds the lock with token", lb.Token)

	var fence coord.Fence // kept by the protected resource
	fmt.Println("b writes:", fence.Check(lb.Token))
	fmt.Println("a's late write:", fence.Check(la.Token))
	// Output:
	// a holds the lock with token 1
	// b cannot take it: true
	// b holds the lock with token 2
	// b writes: <nil>
	// a's late write: coord: stale fencing token 1 (latest 2)
}

// Participants of a barrier go on together; a participant that dies
// fails the barrier for all instead of leaving them waiting.
func ExampleCoordinator_Await() {
	node, err := process.NewNode()
	if err != nil {
		panic(err)
	}
	defer func() { _ = node.Stop(context.Background()) }()
	c, err := coord.Start(node)
	if err != nil {
		panic(err)
	}
	results := make(chan string, 3)
	worker := func(p *process.Proc) error {
		r, err := c.Await(p.Context(), "phase-1", 3, coord.WithTimeout(time.Second))
		if err != nil {
			results <- err.Error()
			return nil
		}
		results <- fmt.Sprintf("round %d passed with %d participants", r.Round, len(r.Participants))
		return nil
	}
	for range 3 {
		_, _ = node.Spawn(worker)
	}
	for range 3 {
		fmt.Println(<-results)
	}

	// Three declared participants; one dies before it arrives.
	p1, _ := node.Spawn(idle)
	p2, _ := node.Spawn(idle)
	doomed, _ := node.Spawn(idle)
	_ = node.Exit(doomed, process.Kill)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Await(ctx, "phase-2", 3, coord.WithHolder(p1), coord.WithParticipants(p1, p2, doomed))
	var be *coord.BarrierError
	fmt.Println("barrier failed:", errors.As(err, &be) && errors.Is(err, coord.ErrParticipantDown) && be.PID == doomed)
	// Output:
	// round 1 passed with 3 participants
	// round 1 passed with 3 participants
	// round 1 passed with 3 participants
	// barrier failed: true
}
