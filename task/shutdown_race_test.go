package task_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/task"
)

// TestShutdownIgnoresResultAfterStop: a task whose function returns
// because Shutdown stopped it (its context ended) has not replied: Shutdown
// reports it stopped (done false), never the late result, however the
// task's return races with its death.
func TestShutdownIgnoresResultAfterStop(t *testing.T) {
	_, sup, stop := setup()
	defer stop()
	for i := range 300 {
		tk, err := task.Async(context.Background(), sup, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 1, ctx.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, done, err := tk.Shutdown(time.Second); done || err != nil || v != 0 {
			t.Fatalf("run %d: Shutdown = %v, %t, %v; want 0, false, nil", i, v, done, err)
		}
	}
}
