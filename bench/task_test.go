package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/task"
)

// BenchmarkTaskAsyncAwait measures one supervised task round trip:
// task.Async of a trivial function and its Await (Task.Supervisor.async
// plus Task.await: a supervisor call, a process spawn, the result over
// the task's channel), against a goroutine sending on a channel.
func BenchmarkTaskAsyncAwait(b *testing.B) {
	family(b, taskAsyncOrchard, taskAsyncRawgo)
}

func taskAsyncOrchard(b *testing.B) {
	node := newNode(b)
	sup, err := task.StartSupervisor(node)
	if err != nil {
		b.Fatalf("task.StartSupervisor: %v", err)
	}
	defer func() { _ = sup.Stop(stopTimeout) }()
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ResetTimer()
	for b.Loop() {
		t, err := task.Async(ctx, sup, fn)
		if err != nil {
			b.Fatalf("Async: %v", err)
		}
		if _, err := t.Await(time.Minute); err != nil {
			b.Fatalf("Await: %v", err)
		}
	}
}

func taskAsyncRawgo(b *testing.B) {
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	type result struct {
		v   int
		err error
	}
	for b.Loop() {
		ch := make(chan result, 1)
		go func() {
			v, err := fn(ctx)
			ch <- result{v, err}
		}()
		if r := <-ch; r.err != nil {
			b.Fatal(r.err)
		}
	}
}
