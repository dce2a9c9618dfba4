package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// receiver spawns a process that hands what it receives to a channel.
func receiver(node *process.Node) (process.PID, <-chan any) {
	ch := make(chan any, 16)
	pid, _ := node.Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			ch <- m
		}
	})
	return pid, ch
}

// After delivers a message once.
func ExampleScheduler_After() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	s, _ := schedule.Start(node)
	pid, inbox := receiver(node)

	_, err := s.After(context.Background(), 20*time.Millisecond, pid, "wake up")
	fmt.Println(err)
	fmt.Println(<-inbox)
	// Output:
	// <nil>
	// wake up
}

// Every delivers until the schedule is cancelled.
func ExampleScheduler_Every() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	s, _ := schedule.Start(node)
	pid, inbox := receiver(node)
	ctx := context.Background()

	id, _ := s.Every(ctx, 10*time.Millisecond, pid, "tick", schedule.WithJitter(5*time.Millisecond))
	for range 3 {
		fmt.Println(<-inbox)
	}
	fmt.Println(s.Cancel(ctx, id))
	// Output:
	// tick
	// tick
	// tick
	// <nil>
}

// Cron takes standard cron expressions and descriptors; a bad one is a
// *CronError.
func ExampleScheduler_Cron() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	s, _ := schedule.Start(node)
	ctx := context.Background()
	reports := node.Name("reports") // resolved at each delivery

	_, err := s.Cron(ctx, "0 6 * * 1-5", reports, "daily report", schedule.WithID("daily"))
	fmt.Println(err)
	_, err = s.Cron(ctx, "0 25 * * *", reports, "never")
	var ce *schedule.CronError
	fmt.Println(errors.As(err, &ce), ce.Expr)
	infos, _ := s.List(ctx)
	fmt.Println(infos[0].ID, infos[0].Kind, infos[0].Spec, infos[0].Next.Hour())
	// Output:
	// <nil>
	// true 0 25 * * *
	// daily cron 0 6 * * 1-5 6
}

// List shows the schedules, soonest first; Cancel removes one.
func ExampleScheduler_List() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	s, _ := schedule.Start(node)
	ctx := context.Background()
	pid, _ := receiver(node)

	_, _ = s.Every(ctx, time.Hour, pid, "hourly", schedule.WithID("hourly"))
	_, _ = s.After(ctx, time.Minute, pid, "soon", schedule.WithID("soon"))
	for _, in := range must(s.List(ctx)) {
		fmt.Println(in.ID, in.Kind, in.Spec)
	}
	fmt.Println(s.Cancel(ctx, "soon"))
	fmt.Println(errors.Is(s.Cancel(ctx, "soon"), schedule.ErrNotFound))
	fmt.Println(len(must(s.List(ctx))))
	// Output:
	// soon after 1m0s
	// hourly every 1h0m0s
	// <nil>
	// true
	// 1
}

// A schedule added from inside a process belongs to it and ends with it.
func ExampleScheduler_Every_owner() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	events := telemetry.New()
	cancelled := make(chan any, 1)
	_ = events.Attach("example", []string{schedule.EventCancelled}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		cancelled <- md["reason"]
	})
	s, _ := schedule.Start(node, schedule.WithTelemetry(events))
	ctx := context.Background()
	pid, _ := receiver(node)

	done := make(chan struct{})
	owner, _ := node.Spawn(func(p *process.Proc) error {
		_, _ = s.Every(p.Context(), time.Second, pid, "heartbeat") // owner: p
		close(done)
		<-p.Done()
		return nil
	})
	<-done
	fmt.Println(len(must(s.List(ctx))))
	_ = node.Exit(owner, process.Kill)
	fmt.Println(<-cancelled)
	fmt.Println(len(must(s.List(ctx))))
	// Output:
	// 1
	// owner_down
	// 0
}

// A durable schedule is kept in the store and comes back when a
// scheduler starts on the same store.
func ExampleDurable() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()
	store := schedule.NewMemoryStore() // NewKVStore(kv) keeps it in JetStream
	codec := schedule.NewCodec()
	_ = schedule.Register[string](codec, "string")

	s, _ := schedule.Start(node, schedule.WithStore(store), schedule.WithCodec(codec))
	_, err := s.Every(ctx, time.Hour, node.Name("janitor"), "sweep", schedule.Durable(), schedule.WithID("sweep"))
	fmt.Println(err)
	_, err = s.Every(ctx, time.Hour, must(s.PID()), "x", schedule.Durable())
	fmt.Println(errors.Is(err, schedule.ErrNotDurable))
	_ = s.Stop(ctx)

	s, _ = schedule.Start(node, schedule.WithStore(store), schedule.WithCodec(codec))
	for _, in := range must(s.List(ctx)) {
		fmt.Println(in.ID, in.Kind, in.Spec, in.Dest, in.Durable)
	}
	// Output:
	// <nil>
	// true
	// sweep every 1h0m0s janitor true
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// With no Deliverer, a delivery to a process that is gone is a reported
// failure, not a silent drop.
func ExampleWithOnFailure() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	failed := make(chan schedule.Failure, 1)
	s, _ := schedule.Start(node, schedule.WithOnFailure(func(f schedule.Failure) { failed <- f }))
	pid, _ := node.Spawn(func(*process.Proc) error { return nil })
	waitDead(node, pid)

	_, _ = s.After(context.Background(), time.Millisecond, pid, "hello?", schedule.WithoutOwner())
	f := <-failed
	fmt.Println(f.Last, errors.Is(f.Reason, process.NoProc))
	// Output:
	// true true
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
