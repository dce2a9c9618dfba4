package monitors

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// TestAwaitDeathTimesOut: a leak-check process that never dies makes
// Close return a CloseTimeoutError at the deadline instead of hanging.
func TestAwaitDeathTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		err := awaitDeath(ctx, process.PID{}, make(chan struct{}))
		var ce *CloseTimeoutError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCloseTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("awaitDeath = %v; want a CloseTimeoutError at the deadline", err)
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("awaitDeath took %v; want 1s", took)
		}
	})
}
