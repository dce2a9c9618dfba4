package deadletter_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// OrderPlaced is an application message type.
type OrderPlaced struct {
	ID   int
	Item string
}

func exampleQueue(node *process.Node, store deadletter.Store, opts ...deadletter.Option) *deadletter.Queue {
	codec := deadletter.NewJSONCodec()
	_ = deadletter.Register[OrderPlaced](codec, "orders.placed")
	opts = append([]deadletter.Option{deadletter.WithCodec(codec), deadletter.WithTelemetry(telemetry.New())}, opts...)
	q, err := deadletter.New(node, store, opts...)
	if err != nil {
		panic(err)
	}
	return q
}

// Add entries, then list them oldest first, filtered by reason.
func ExampleQueue_List() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	q := exampleQueue(node, deadletter.NewMemoryStore())
	ctx := context.Background()
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	_, _ = q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: OrderPlaced{ID: 2}, Reason: errors.New("call timeout"), FirstFailure: t.Add(time.Minute)})
	_, _ = q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: OrderPlaced{ID: 1}, Reason: errors.New("call timeout"), FirstFailure: t})
	_, _ = q.Add(ctx, send.Letter{Dest: node.Name("mailer"), Msg: "welcome", Reason: errors.New("noproc"), FirstFailure: t})

	entries, _ := q.List(ctx, deadletter.Filter{Reason: "timeout"}, 10)
	for _, e := range entries {
		fmt.Println(e.Dest.Printed, e.Msg.Printed, e.Reason, e.FirstFailure.Format(time.TimeOnly))
	}
	// Output:
	// billing {ID:1 Item:} call timeout 03:04:05
	// billing {ID:2 Item:} call timeout 03:05:05
}

// Retry re-delivers; a delivered entry is removed, a failed one stays with
// one more attempt.
func ExampleQueue_Retry() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	q := exampleQueue(node, deadletter.NewMemoryStore())
	ctx := context.Background()

	got := make(chan any, 1)
	pid, _ := node.Spawn(func(p *process.Proc) error {
		m, err := p.Receive(p.Context())
		got <- m
		return err
	}, process.WithName("billing"))
	_ = pid
	ok, _ := q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: OrderPlaced{ID: 7, Item: "tea"}})
	bad, _ := q.Add(ctx, send.Letter{Dest: node.Name("gone"), Msg: OrderPlaced{ID: 8}})

	res, err := q.Retry(ctx, deadletter.Filter{})
	fmt.Println("delivered:", res.Delivered[0] == ok.ID, <-got)
	fmt.Println("failed:", res.Failed[0].ID == bad.ID, errors.Is(err, process.NoProc))
	left, _ := q.Get(ctx, bad.ID)
	fmt.Println("attempts:", left.Attempts)
	// Output:
	// delivered: true {7 tea}
	// failed: true true
	// attempts: 2
}

// A message that cannot be encoded is kept, but not replayable.
func ExampleEntry_replayable() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	q := exampleQueue(node, deadletter.NewMemoryStore())
	ctx := context.Background()
	e, _ := q.Add(ctx, send.Letter{Dest: node.Name("worker"), Msg: make(chan int)})
	fmt.Println(e.Replayable, e.Msg.Type)
	_, err := q.Retry(ctx, deadletter.Filter{IDs: []string{e.ID}})
	fmt.Println(errors.Is(err, deadletter.ErrNotReplayable))
	n, _ := q.Len(ctx)
	fmt.Println("still stored:", n)
	// Output:
	// false chan int
	// true
	// still stored: 1
}

// Purge removes what a filter selects; a zero Filter selects everything.
func ExampleQueue_Purge() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	q := exampleQueue(node, deadletter.NewMemoryStore())
	ctx := context.Background()
	for _, to := range []string{"a", "b", "a"} {
		_, _ = q.Add(ctx, send.Letter{Dest: node.Name(to), Msg: "x"})
	}
	n, _ := q.Purge(ctx, deadletter.Filter{Dest: "a"})
	fmt.Println("purged:", n)
	n, _ = q.Purge(ctx, deadletter.Filter{})
	fmt.Println("purged:", n)
	// Output:
	// purged: 2
	// purged: 1
}

// The retrier re-delivers due entries every interval, at most the given
// number of times per entry.
func ExampleQueue_StartRetrier() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	delivered := make(chan any, 1)
	tries := 0
	deliver := func(_ context.Context, _ process.Dest, msg any) error {
		if tries++; tries < 3 { // runs in the retrier process only
			return errors.New("still down")
		}
		delivered <- msg
		return nil
	}
	q := exampleQueue(node, deadletter.NewMemoryStore(),
		deadletter.WithDeliverer(deliver), deadletter.WithAutoRetry(5*time.Millisecond, 5))
	defer q.Close(context.Background())
	_, _ = q.Add(context.Background(), send.Letter{Dest: node.Name("billing"), Msg: OrderPlaced{ID: 1}})
	_, _ = q.StartRetrier()
	fmt.Println(<-delivered, "after", tries, "retries")
	// Output: {1 } after 3 retries
}

// Register names message types so that they decode back into themselves.
func ExampleRegister() {
	codec := deadletter.NewJSONCodec()
	_ = deadletter.Register[OrderPlaced](codec, "orders.placed")
	name, data, _ := codec.Encode(OrderPlaced{ID: 3, Item: "pen"})
	fmt.Println(name, string(data))
	v, _ := codec.Decode(name, data)
	fmt.Printf("%T %+v\n", v, v)
	_, _, err := codec.Encode(struct{}{})
	fmt.Println(errors.Is(err, deadletter.ErrUnregistered))
	// Output:
	// orders.placed {"ID":3,"Item":"pen"}
	// deadletter_test.OrderPlaced {ID:3 Item:pen}
	// true
}

// A letter to a process that has died since stays in the queue: the
// default deliverer only counts a message delivered when a live process
// received it.
func ExampleQueue_Retry_deadProcess() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	q := exampleQueue(node, deadletter.NewMemoryStore())
	ctx := context.Background()

	exited := make(chan struct{})
	pid, _ := node.Spawn(func(p *process.Proc) error {
		defer close(exited)
		return nil
	})
	<-exited
	for node.IsAlive(pid) { // the exit is being recorded
		time.Sleep(time.Millisecond)
	}
	e, _ := q.Add(ctx, send.Letter{Dest: pid, Msg: OrderPlaced{ID: 9}})

	_, err := q.Retry(ctx, deadletter.Filter{})
	left, _ := q.Get(ctx, e.ID)
	fmt.Println("noproc:", errors.Is(err, process.NoProc), "attempts:", left.Attempts)
	// Output:
	// noproc: true attempts: 2
}
