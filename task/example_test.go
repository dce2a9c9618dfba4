package task_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/task"
)

// setup starts a node and a quiet task supervisor for an example.
func setup() (*process.Node, *task.Supervisor, func()) {
	node, err := process.NewNode()
	if err != nil {
		panic(err)
	}
	sup, err := task.StartSupervisor(node, task.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		panic(err)
	}
	return node, sup, func() {
		_ = sup.Stop(5 * time.Second)
		_ = node.Stop(context.Background())
	}
}

func ExampleStart() {
	_, sup, stop := setup()
	defer stop()
	done := make(chan struct{})
	_, err := task.Start(sup, func(ctx context.Context) error {
		fmt.Println("working")
		close(done)
		return nil
	})
	if err != nil {
		panic(err)
	}
	<-done
	// Output: working
}

func ExampleAsync() {
	_, sup, stop := setup()
	defer stop()
	t, err := task.Async(context.Background(), sup, func(ctx context.Context) (int, error) {
		return 6 * 7, nil
	})
	if err != nil {
		panic(err)
	}
	v, err := t.Await(time.Second)
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExampleAsyncNoLink() {
	_, sup, stop := setup()
	defer stop()
	t, _ := task.AsyncNoLink(context.Background(), sup, func(ctx context.Context) (int, error) {
		panic("boom")
	})
	_, err := t.Await(time.Second)
	var pe *process.PanicError
	fmt.Println(errors.As(err, &pe), pe.Value)
	// Output: true boom
}

func ExampleTask_Yield() {
	_, sup, stop := setup()
	defer stop()
	release := make(chan struct{})
	t, _ := task.Async(context.Background(), sup, func(ctx context.Context) (string, error) {
		<-release
		return "done", nil
	})
	_, done, _ := t.Yield(0) // still running: not stopped
	fmt.Println(done)
	close(release)
	v, done, err := t.Yield(time.Second)
	fmt.Println(v, done, err)
	// Output:
	// false
	// done true <nil>
}

func ExampleTask_Shutdown() {
	_, sup, stop := setup()
	defer stop()
	t, _ := task.Async(context.Background(), sup, func(ctx context.Context) (int, error) {
		<-ctx.Done() // stops when the task is shut down
		return 0, ctx.Err()
	})
	_, done, err := t.Shutdown(time.Second)
	fmt.Println(done, err)
	// Output: false <nil>
}

func ExampleStream() {
	_, sup, stop := setup()
	defer stop()
	square := func(ctx context.Context, n int) (int, error) { return n * n, nil }
	for v, err := range task.Stream(context.Background(), sup, slices.Values([]int{1, 2, 3, 4}), square, task.MaxConcurrency(2)) {
		fmt.Println(v, err)
	}
	// Output:
	// 1 <nil>
	// 4 <nil>
	// 9 <nil>
	// 16 <nil>
}

// An invalid option makes the stream yield one error, matching
// ErrInvalidArgument, and start nothing.
func ExampleMaxConcurrency_invalid() {
	_, sup, stop := setup()
	defer stop()
	double := func(_ context.Context, n int) (int, error) { return 2 * n, nil }
	for v, err := range task.Stream(context.Background(), sup, slices.Values([]int{1, 2}), double, task.MaxConcurrency(0)) {
		fmt.Println(v, errors.Is(err, task.ErrInvalidArgument), err)
	}
	// Output:
	// 0 true task: MaxConcurrency: invalid argument n: must be at least 1, got 0
}
