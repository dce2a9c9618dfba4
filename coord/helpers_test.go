package coord_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// wait bounds every test step.
const wait = 10 * time.Second

func bg(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

func startCoord(t *testing.T, node *process.Node, opts ...coord.Option) *coord.Coordinator {
	t.Helper()
	c, err := coord.Start(node, opts...)
	if err != nil {
		t.Fatalf("coord.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

type lockResult struct {
	l   *coord.Lock
	err error
	at  time.Time
}

// lockAsync asks for a lock from a goroutine of the test and returns
// where its result will arrive.
func lockAsync(ctx context.Context, c *coord.Coordinator, name string, opts ...coord.CallOption) <-chan lockResult {
	ch := make(chan lockResult, 1)
	go func() {
		l, err := c.Lock(ctx, name, opts...)
		ch <- lockResult{l, err, time.Now()}
	}()
	return ch
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("nothing received within %v", wait)
		panic("unreachable")
	}
}

// expectMsg waits for the probe's next message of type T, skipping
// others.
func expectMsg[T any](t *testing.T, pr *otptest.Probe) T {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if m, ok := pr.Expect(t, wait).(T); ok {
			return m
		}
	}
	t.Fatalf("no %T within %v", *new(T), wait)
	panic("unreachable")
}

func kill(t *testing.T, node *process.Node, pid process.PID) {
	t.Helper()
	if err := node.Exit(pid, process.Kill); err != nil {
		t.Fatalf("kill %v: %v", pid, err)
	}
}
